using System.Globalization;
using System.Text.Json.Nodes;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;
using Bamboo.Engine.Validation;

namespace Bamboo.Engine.Client;

public sealed partial class BambooClient
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestPoll = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a due task may go unclaimed before a pipeline counts as waiting for a worker.</summary>
    private static readonly TimeSpan UnclaimedFor = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A read about one id. An id that no store can hold (<see cref="StoredText"/>) names nothing, so it is answered
    /// as an unknown id is, without asking the store (PostgreSQL would refuse the text).
    /// </summary>
    private Task<T?> ReadAboutAsync<T>(string id, Func<IStoreTransaction, ValueTask<T?>> read, CancellationToken cancellationToken)
        where T : class =>
        StoredText.IsStorable(id) ? Engine.Store.ReadAsync(read, cancellationToken) : Task.FromResult<T?>(null);

    private static DateTimeOffset? Time(long? ms) => ms is long v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;

    /// <summary>
    /// Waits until the pipeline stops: finished, failed, revoked, paused, waiting for callbacks or for a worker with the
    /// components it needs. Reads the store, so it sees runs driven by any process. Throws when no such run exists.
    /// </summary>
    public async Task<PipelineOutcome> WaitForPipelineAsync(string rootId, CancellationToken cancellationToken = default)
    {
        var poll = FirstPoll;
        while (true)
        {
            // Taken before the read: a nudge that comes while it runs is not lost.
            var nudged = _nudges.GetOrAdd(rootId, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            var outcome = await GetOutcomeAsync(rootId, cancellationToken).ConfigureAwait(false)
                ?? throw new Exceptions.NotFoundError($"pipeline({rootId}) does not exist");
            if (outcome.End != PipelineEnd.Running)
            {
                _nudges.TryRemove(rootId, out _);
                return outcome;
            }

            // Polled, since any process may move the run; this process's own workers nudge the wait at once.
            await Task.WhenAny(nudged, Task.Delay(poll, Engine.Time, cancellationToken)).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            poll = TimeSpan.FromTicks(Math.Min(poll.Ticks * 2, LongestPoll.Ticks));
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, TaskCompletionSource> _nudges = new();

    /// <summary>Wakes the waits on a run: something happened in it here.</summary>
    private void Nudge(string rootId)
    {
        if (_nudges.TryRemove(rootId, out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    /// <summary>How the pipeline stands now; null when no such run exists.</summary>
    public async Task<PipelineOutcome?> GetOutcomeAsync(string rootId, CancellationToken cancellationToken = default)
    {
        var outcome = await ReadOutcomeAsync(rootId, cancellationToken).ConfigureAwait(false);
        if (outcome is not { End: PipelineEnd.WaitingForWorker, Requirements.Count: 0 })
        {
            return outcome;
        }

        // Free tasks that any worker can run: they wait for a worker only if none is registered on the store and the run
        // has been still for a while (a worker that is starting registers within it). Measured on the wall clock of
        // its states' times: the store's own clock does not move while no process runs.
        if ((await Engine.Store.Workers.ListAsync(cancellationToken).ConfigureAwait(false)).Count > 0)
        {
            return outcome with { End = PipelineEnd.Running };
        }

        var lastChange = await Engine.Store.ReadAsync(async tx =>
        {
            var run = await Engine.Compiled.FindAsync(tx, rootId).ConfigureAwait(false);
            var states = run is null ? [] : await tx.States.GetManyAsync([.. run.Nodes.Keys, rootId]).ConfigureAwait(false);
            return states.Select(s => Math.Max(s.StartedTime ?? s.CreatedTime, s.ArchivedTime ?? 0)).DefaultIfEmpty(0).Max();
        }, cancellationToken).ConfigureAwait(false);
        return Engine.Time.GetUtcNow().ToUnixTimeMilliseconds() - lastChange >= (long)UnclaimedFor.TotalMilliseconds
            ? outcome
            : outcome with { End = PipelineEnd.Running };
    }

    private Task<PipelineOutcome?> ReadOutcomeAsync(string rootId, CancellationToken cancellationToken) =>
        ReadAboutAsync<PipelineOutcome>(rootId, async tx =>
        {
            var run = await Engine.Compiled.FindAsync(tx, rootId).ConfigureAwait(false);
            if (run is null)
            {
                return null;
            }

            // The root's state and the run's tasks first: a running pipeline always has a task on its way, so a wait
            // woken at every step of a long run reads a few rows per step, not every node's state.
            var rootState = await tx.States.GetManyAsync([rootId]).ConfigureAwait(false);
            var root = rootState.Count > 0 ? rootState[0].Name : null;
            if (root is NodeState.Finished or NodeState.Revoked)
            {
                return new PipelineOutcome(rootId, root == NodeState.Finished ? PipelineEnd.Finished : PipelineEnd.Revoked, []);
            }

            var tasks = await tx.Tasks.GetForRootAsync(rootId).ConfigureAwait(false);
            // A task is on its way while a worker holds it, unless it is a service call whose node moved on (forced to
            // fail, say): its result will be refused, whenever the call returns. A free one needing nothing waits only
            // if no worker runs at all (GetOutcomeAsync checks); one needing a component waits for a worker that has
            // it once it has been due for a while without any worker taking it.
            var held = tasks.Where(t => t.LeaseOwner is not null).ToList();
            if (held.Count > 0)
            {
                if (held.Any(t => t.Version is null))
                {
                    return new PipelineOutcome(rootId, PipelineEnd.Running, []);
                }

                var calls = await tx.States.GetManyAsync([.. held.Select(t => t.NodeId).Distinct()]).ConfigureAwait(false);
                if (held.Any(t => calls.Any(s => s.NodeId == t.NodeId && s.Version == t.Version && s.Name == NodeState.Running)))
                {
                    return new PipelineOutcome(rootId, PipelineEnd.Running, []);
                }

                tasks = [.. tasks.Where(t => t.LeaseOwner is null)];
            }

            if (tasks.Any(t => t.Requires is null))
            {
                return new PipelineOutcome(rootId, PipelineEnd.WaitingForWorker, []);
            }

            if (tasks.Any(t => tx.Tasks.Clock - t.DueAt < (long)UnclaimedFor.TotalMilliseconds))
            {
                return new PipelineOutcome(rootId, PipelineEnd.Running, []);
            }

            var states = await tx.States.GetManyAsync([.. run.Nodes.Keys]).ConfigureAwait(false);
            var views = states.Select(s => View(run, s.NodeId, s)).ToList();

            if (tasks.Count > 0)
            {
                return new PipelineOutcome(rootId, PipelineEnd.WaitingForWorker, [])
                {
                    Requirements = [.. tasks.Select(t => Requirement.Describe(t.Requires!)).Distinct()],
                };
            }

            var failed = views.Where(v => v.State == NodeState.Failed).ToList();
            var paused = views.Where(v => v.State == NodeState.Suspended).ToList();
            var waiting = views.Where(v => v.State == NodeState.Running && v.Kind == nameof(NodeKind.ServiceActivity)).ToList();
            // A node waiting for its callback comes before a node paused in advance: the pause may lie further on,
            // not reached yet, and the callback is what the run waits for now.
            return failed.Count > 0 ? new PipelineOutcome(rootId, PipelineEnd.Failed, failed)
                : root == NodeState.Suspended ? new PipelineOutcome(rootId, PipelineEnd.Suspended, paused)
                : waiting.Count > 0 ? new PipelineOutcome(rootId, PipelineEnd.WaitingForCallback, waiting)
                : paused.Count > 0 ? new PipelineOutcome(rootId, PipelineEnd.Suspended, paused)
                : new PipelineOutcome(rootId, PipelineEnd.Running, []);
        }, cancellationToken);

    /// <summary>A page of runs, newest first.</summary>
    public async Task<PipelinePage> ListPipelinesAsync(PipelineQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new PipelineQuery();
        var (afterAt, afterId) = ParseCursor(query.After);
        var limit = Math.Clamp(query.Limit, 1, 500);
        if (!(StoredText.IsStorable(query.Text) && StoredText.IsStorable(query.State) && StoredText.IsStorable(afterId)))
        {
            // No stored id, name or state holds such text, so nothing matches.
            return new PipelinePage([], null);
        }

        var rows = await Engine.Store.ReadAsync(tx => tx.Runs.ListAsync(new RunQuery
        {
            State = query.State,
            CreatedFrom = query.From?.ToUnixTimeMilliseconds(),
            CreatedBefore = query.Before?.ToUnixTimeMilliseconds(),
            Text = query.Text,
            AfterCreatedAt = afterAt,
            AfterRootId = afterId,
            Limit = limit + 1,
        }), cancellationToken).ConfigureAwait(false);
        var items = rows.Take(limit).Select(r => new PipelineSummary(r.RootId, r.Name, r.State, DateTimeOffset.FromUnixTimeMilliseconds(r.CreatedAt), Time(r.ArchivedAt))).ToList();
        var next = rows.Count > limit ? $"{rows[limit - 1].CreatedAt.ToString(CultureInfo.InvariantCulture)}:{rows[limit - 1].RootId}" : null;
        return new PipelinePage(items, next);
    }

    private static (long? At, string? Id) ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor))
        {
            return (null, null);
        }

        var colon = cursor.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 && long.TryParse(cursor[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out var at)
            ? (at, cursor[(colon + 1)..])
            : throw new ArgumentException($"page cursor '{cursor}' is not one this API handed out");
    }

    /// <summary>A run and every node of it, with states where they have one; null when no such run exists.</summary>
    public Task<PipelineView?> GetPipelineAsync(string rootId, CancellationToken cancellationToken = default) =>
        ReadAboutAsync<PipelineView>(rootId, async tx =>
        {
            var run = await Engine.Compiled.FindAsync(tx, rootId).ConfigureAwait(false);
            var record = run is null ? null : await tx.Runs.GetAsync(rootId).ConfigureAwait(false);
            if (run is null || record is null)
            {
                return null;
            }

            var states = (await tx.States.GetManyAsync([.. run.Nodes.Keys.Append(rootId)]).ConfigureAwait(false)).ToDictionary(s => s.NodeId);
            var nodes = run.Nodes.Keys.OrderBy(run.FlowOrder).Select(id => View(run, id, states.GetValueOrDefault(id))).ToList();
            return new PipelineView(rootId, record.Name, states.GetValueOrDefault(rootId)?.Name ?? NodeState.Created, DateTimeOffset.FromUnixTimeMilliseconds(record.CreatedAt), nodes);
        }, cancellationToken);

    /// <summary>The outputs a finished pipeline exported (its root's execution outputs); null when no such run exists.</summary>
    public Task<JsonObject?> GetPipelineOutputsAsync(string rootId, CancellationToken cancellationToken = default) =>
        ReadAboutAsync<JsonObject>(rootId, async tx =>
        {
            if (await tx.Runs.GetAsync(rootId).ConfigureAwait(false) is null)
            {
                return null;
            }

            return (await tx.Data.GetExecutionDataAsync(rootId).ConfigureAwait(false))?.Outputs ?? [];
        }, cancellationToken);

    /// <summary>Everything about one node; null when no run has a node with that id.</summary>
    public Task<NodeDetail?> GetNodeAsync(string nodeId, CancellationToken cancellationToken = default) =>
        ReadAboutAsync<NodeDetail>(nodeId, async tx =>
        {
            var run = await Engine.Compiled.FindForNodeAsync(tx, nodeId).ConfigureAwait(false);
            if (run is null || !run.Nodes.TryGetValue(nodeId, out var info))
            {
                return null;
            }

            var state = await tx.States.GetAsync(nodeId).ConfigureAwait(false);
            var data = await tx.Data.GetExecutionDataAsync(nodeId).ConfigureAwait(false);
            var raw = await tx.Data.GetRawInputsOverrideAsync(nodeId).ConfigureAwait(false) ?? (JsonObject)info.RawInputs.DeepClone();
            var histories = (await tx.Schedules.GetHistoriesAsync(nodeId).ConfigureAwait(false))
                .Select(h => new HistoryView(h.Loop, h.Retry, h.Skip, h.Version, Time(h.StartedTime), Time(h.ArchivedTime), h.Inputs, h.Outputs)).ToList();
            var schedule = state is null ? null : await tx.Schedules.GetAsync(nodeId, state.Version).ConfigureAwait(false);
            var tasks = state?.Name == NodeState.Running ? await tx.Tasks.GetForRootAsync(run.RootId).ConfigureAwait(false) : [];
            var awaitingCallback = schedule is { Finished: false, Expired: false } && schedule.Type != (int)Components.ScheduleType.Poll
                && !tasks.Any(t => t.NodeId == nodeId);
            var outputs = data?.Outputs ?? [];
            var error = outputs["ex_data"] is JsonValue e && e.TryGetValue<string>(out var text) ? text : outputs["ex_data"]?.ToJsonString();
            if (string.IsNullOrEmpty(error) && info.Node is ServiceActivityNode failedActivity)
            {
                error = $"component {failedActivity.ComponentCode} reported a failure without saying why (no ex_data)";
            }
            // A revoked run is over: nothing done to its nodes would move it again.
            var revoked = (await tx.States.GetAsync(run.RootId).ConfigureAwait(false))?.Name == NodeState.Revoked;
            return new NodeDetail(View(run, nodeId, state), run.RootId, data?.Inputs ?? [], outputs, state?.Name == NodeState.Failed ? error : null, raw,
                histories, revoked ? [] : Actions(info.Node, state, awaitingCallback), [.. info.Targets.Select(t => t.FlowId)], (info.Node as GatewayNode)?.ConvergeGatewayId);
        }, cancellationToken);

    /// <summary>The operator actions the engine accepts for a node of this kind in this state (Engine API names).</summary>
    private static List<string> Actions(Node node, StateRecord? state, bool awaitingCallback)
    {
        var actions = new List<string>();
        switch (state?.Name, node)
        {
            case (NodeState.Failed, ServiceActivityNode activity):
                if (activity.Retryable)
                {
                    actions.Add("retry_node");
                }

                if (activity.Skippable)
                {
                    actions.Add("skip_node");
                }

                break;
            case (NodeState.Failed, StartEventNode):
                actions.Add("retry_node");
                actions.Add("skip_node");
                break;
            case (NodeState.Failed, SubProcessNode):
                actions.Add("retry_subprocess");
                break;
            case (NodeState.Failed, GatewayNode { Kind: NodeKind.ExclusiveGateway }):
                // The skip first: a gateway fails on its conditions, and retrying evaluates the same ones again.
                actions.Add("skip_exclusive_gateway");
                actions.Add("retry_node");
                break;
            case (NodeState.Failed, GatewayNode { Kind: NodeKind.ConditionalParallelGateway }):
                actions.Add("skip_conditional_parallel_gateway");
                actions.Add("retry_node");
                break;
            case (NodeState.Failed, _):
                // Any other kind (an end event, another gateway) can be retried, never skipped.
                actions.Add("retry_node");
                break;
            case (NodeState.Running, ServiceActivityNode):
                actions.Add("forced_fail_activity");
                if (awaitingCallback)
                {
                    actions.Add("callback");
                }

                break;
            case (NodeState.Suspended, not SubProcessNode):
                actions.Add("resume_node_appoint");
                break;
            case (null or NodeState.Ready, not SubProcessNode):
                actions.Add("pause_node_appoint");
                break;
        }

        return actions;
    }

    private static NodeView View(CompiledPipeline run, string nodeId, StateRecord? state)
    {
        var info = run.Nodes.TryGetValue(nodeId, out var i) ? i : null;
        var node = info?.Node;
        return new NodeView(nodeId, node?.Name ?? "", node?.Kind.ToString() ?? "Pipeline", info?.ParentPipelineId ?? "",
            (node as ServiceActivityNode)?.ComponentCode, state?.Name, state?.Version, state?.Loop ?? 0, state?.Retry ?? 0, state?.Skip ?? false,
            state?.ErrorIgnored ?? false, Time(state?.StartedTime), Time(state?.ArchivedTime));
    }
}
