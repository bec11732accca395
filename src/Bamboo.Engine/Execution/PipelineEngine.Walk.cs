using System.Text.Json.Nodes;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

public sealed partial class PipelineEngine
{
    /// <summary>States of a pipeline on a process's stack that stop its walk.</summary>
    private static readonly string[] StoppingStates = [NodeState.Revoked, NodeState.Suspended];

    /// <summary>The execute loop (execution.md §3) from the task's node, inside one transaction.</summary>
    private async ValueTask<StepOutcome> WalkAsync(IStoreTransaction tx, TaskRecord task, CancellationToken cancellationToken, ProcessRecord? known = null, UserCodeResults? userCode = null)
    {
        var process = known ?? await tx.Processes.GetAsync(task.ProcessId).ConfigureAwait(false);
        if (process.Dead)
        {
            await tx.Tasks.CompleteAsync(task).ConfigureAwait(false);
            return StepOutcome.Done;
        }

        var compiled = await CompiledAsync(tx, process.RootPipelineId).ConfigureAwait(false);
        // Waking is not written on its own: every way out of the walk writes the process when it differs from
        // what is stored, so a woken process costs one write, not two.
        var woken = process.Asleep ? process with { Asleep = false, LastHeartbeat = tx.Now } : process;
        return await WalkFromAsync(tx, task, woken, compiled, task.NodeId, userCode, cancellationToken, stored: process).ConfigureAwait(false);
    }

    /// <summary>Walks from <paramref name="nodeId"/>, then starts the branches a fork on the way created (see StartBranchesAsync).</summary>
    private async ValueTask<StepOutcome> WalkFromAsync(IStoreTransaction tx, TaskRecord task, ProcessRecord process, CompiledPipeline compiled, string nodeId,
        UserCodeResults? userCode, CancellationToken cancellationToken, ProcessRecord? stored = null)
    {
        var branches = new Branches(_options.MaxConcurrentTasks);
        var outcome = await WalkAsync(tx, task, process, compiled, nodeId, userCode ?? new UserCodeResults(_components), cancellationToken, stored, branches).ConfigureAwait(false);
        return await StartBranchesAsync(tx, task, branches, outcome, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Walks nodes inside the open transaction, and never runs user code in it. Engine-only nodes (events, gateways,
    /// reaching a branch's converge) are handled here; at an activity the walk records it RUNNING with a recover point
    /// and ends, and its service runs after the commit. The transaction that applies the service's result walks on
    /// to the next activity, so a sequence of services costs one transaction per service. A lazy variable or an
    /// executable end event stops the walk before its node; it runs between transactions (see UserCodeResults).
    /// User code this worker does not have stops the walk too, and the task goes back to the queue for a worker that has it.
    /// </summary>
    private async ValueTask<StepOutcome> WalkAsync(IStoreTransaction tx, TaskRecord task, ProcessRecord process, CompiledPipeline compiled, string nodeId,
        UserCodeResults userCode, CancellationToken cancellationToken, ProcessRecord? stored = null, Branches? branches = null)
    {
        stored ??= process;
        for (var steps = 0; ; steps++)
        {
            if (nodeId == process.DestinationId)
            {
                return await ReachDestinationAsync(tx, task, process).ConfigureAwait(false);
            }

            if (steps >= NodesPerTransaction)
            {
                // Commit here and continue in the next transaction, to keep the write lock short.
                return await PauseAsync(tx, task, process, stored, nodeId, null).ConfigureAwait(false);
            }

            process = process with { CurrentNodeId = nodeId };
            // One read for the node and the pipelines on the stack that stop it.
            var (state, stopping) = await tx.States.GetStepStatesAsync(nodeId, process.PipelineStack, StoppingStates).ConfigureAwait(false);
            var stop = CheckStack(stopping, process);
            if (stop is not null)
            {
                await tx.Processes.UpdateAsync(stop).ConfigureAwait(false);
                await CompleteAsync(tx, task).ConfigureAwait(false);
                return StepOutcome.Done;
            }

            var info = compiled.Node(nodeId);
            if (info.Node is ServiceActivityNode activity && !_components.HasComponent(activity.ComponentCode, activity.ComponentVersion)
                && state?.Name is null or NodeState.Ready or NodeState.Finished or NodeState.LoopReady)
            {
                // Another worker may have this component: the node waits for it, untouched.
                return await HandOverAsync(tx, task, process, stored, nodeId, Requirement.Component(activity.ComponentCode, activity.ComponentVersion)).ConfigureAwait(false);
            }

            var loop = 1;
            var innerLoop = 1;
            HistoryRecord? history = null;
            if (state is not null)
            {
                if (state.Name == NodeState.Finished && info.Node.Kind != NodeKind.SubProcess && state.Loop > _options.RerunLimit)
                {
                    await SetExDataAsync(tx, nodeId, $"node execution exceed rerun limit {_options.RerunLimit}").ConfigureAwait(false);
                    await StateWriter.SetAsync(tx, nodeId, new StateWriter.Change(NodeState.Failed) { SetArchiveTime = true }, state).ConfigureAwait(false);
                    return await SleepAsync(tx, task, process).ConfigureAwait(false);
                }

                if (state.Name == NodeState.Suspended)
                {
                    await tx.States.UpdateAsync(state with { RootId = process.RootPipelineId, ParentId = info.ParentPipelineId }, state.Version).ConfigureAwait(false);
                    await tx.Processes.UpdateAsync(process with { Suspended = true, SuspendedBy = nodeId }).ConfigureAwait(false);
                    await CompleteAsync(tx, task).ConfigureAwait(false);
                    return StepOutcome.Done;
                }

                if (state.Name is not (NodeState.Ready or NodeState.Finished or NodeState.LoopReady))
                {
                    return await SleepAsync(tx, task, process).ConfigureAwait(false);
                }

                if (state.Name == NodeState.Finished)
                {
                    loop = state.Loop + 1;
                    innerLoop = state.InnerLoop + 1;
                    // Read now, written once the handler is through: a walk that stops for user code writes nothing.
                    history = await HistoryOfAsync(tx, state).ConfigureAwait(false);
                }
                else
                {
                    loop = state.Loop;
                    innerLoop = state.InnerLoop;
                }
            }

            var reentry = history is not null;
            var running = StateWriter.Next(nodeId, state, new StateWriter.Change(NodeState.Running)
            {
                Loop = loop,
                InnerLoop = innerLoop,
                RootId = process.RootPipelineId,
                ParentId = info.ParentPipelineId,
                SetStartedTime = true,
                ResetSkip = reentry,
                ResetRetry = reentry,
                ResetErrorIgnored = reentry,
                RefreshVersion = reentry,
            }, tx.Now);

            var step = new NodeStep(tx, task, process, compiled, info, running, state, userCode) { Branches = branches };
            HandlerResult result;
            try
            {
                result = await HandleAsync(step).ConfigureAwait(false);
            }
            catch (UserCodeNeededException)
            {
                // Handlers write nothing before their user code, so the node is untouched: stop before it.
                return userCode.Unmet is { } requirement
                    ? await HandOverAsync(tx, task, process, stored, nodeId, requirement).ConfigureAwait(false)
                    : await PauseAsync(tx, task, process, stored, nodeId, userCode).ConfigureAwait(false);
            }

            if (history is not null)
            {
                await tx.Schedules.AddHistoryAsync(history).ConfigureAwait(false);
            }

            await step.FlushAsync().ConfigureAwait(false);
            process = step.Process;
            switch (result)
            {
                case HandlerResult.CallService:
                    {
                        // RUNNING with a recover point commits before the service runs; the result comes in a later step.
                        var node = (ServiceActivityNode)info.Node;
                        var pending = await CheckpointAsync(tx, task with
                        {
                            NodeId = nodeId,
                            Version = running.Version,
                            Requires = Requirement.Component(node.ComponentCode, node.ComponentVersion),
                        }).ConfigureAwait(false);
                        var written = SameAsStored(process, stored) ? stored : process;
                        if (!ReferenceEquals(written, stored))
                        {
                            await tx.Processes.UpdateAsync(process).ConfigureAwait(false);
                        }

                        return step.ServiceCall! with { Task = pending, Process = written, State = step.State };
                    }

                case HandlerResult.Next next:
                    nodeId = next.NodeId;
                    continue;

                case HandlerResult.Sleep:
                    return await SleepAsync(tx, task, process).ConfigureAwait(false);
                case HandlerResult.Die:
                    await tx.Processes.UpdateAsync(process with { Dead = true }).ConfigureAwait(false);
                    await CompleteAsync(tx, task).ConfigureAwait(false);
                    return new PipelineFinishedOutcome(process.RootPipelineId);
                default:
                    throw new InvalidOperationException("unknown handler result");
            }
        }
    }

    /// <summary>Ends this transaction's walk before <paramref name="nodeId"/>; the task resumes there in the next one.</summary>
    private static async ValueTask<StepOutcome> PauseAsync(IStoreTransaction tx, TaskRecord task, ProcessRecord process, ProcessRecord stored, string nodeId, UserCodeResults? userCode)
    {
        var samePlace = await MoveProcessAsync(tx, process, stored, nodeId).ConfigureAwait(false);
        var next = await CheckpointAsync(tx, task with { NodeId = nodeId, Version = null, Requires = null }).ConfigureAwait(false);
        return new ContinueOutcome(next, samePlace ? stored : process with { CurrentNodeId = nodeId }) { UserCode = userCode };
    }

    /// <summary>
    /// Ends the walk before <paramref name="nodeId"/> and gives the task back to the queue for a worker that meets
    /// <paramref name="requirement"/>. Nothing of the node is written: it waits, and the task says what for.
    /// </summary>
    private async ValueTask<StepOutcome> HandOverAsync(IStoreTransaction tx, TaskRecord task, ProcessRecord process, ProcessRecord stored, string nodeId, string requirement)
    {
        await MoveProcessAsync(tx, process, stored, nodeId).ConfigureAwait(false);
        var waiting = task with { NodeId = nodeId, Version = null, Requires = requirement };
        if (IsStored(task))
        {
            await tx.Tasks.CheckpointAsync(waiting).ConfigureAwait(false);
            await tx.Tasks.RequeueAsync(waiting with { Attempts = 0 }, TimeSpan.Zero).ConfigureAwait(false);
        }
        else
        {
            await tx.Tasks.AddAsync(waiting with { LeaseOwner = null, Attempts = 0 }).ConfigureAwait(false);
        }

        LogHandedOver(nodeId, requirement);
        return StepOutcome.Done;
    }

    /// <summary>Writes the process at <paramref name="nodeId"/> unless only its position and heartbeat differ from what is stored; true when it did not.</summary>
    private static async ValueTask<bool> MoveProcessAsync(IStoreTransaction tx, ProcessRecord process, ProcessRecord stored, string nodeId)
    {
        // The task row records where to resume; the process row only changes when more than its position did.
        var samePlace = SamePlaceAside(process, stored);
        if (!samePlace)
        {
            await tx.Processes.UpdateAsync(process with { CurrentNodeId = nodeId }).ConfigureAwait(false);
        }

        return samePlace;
    }

    /// <summary>Whether two process records differ at most in heartbeat.</summary>
    private static bool SameAsStored(ProcessRecord a, ProcessRecord b) =>
        a.CurrentNodeId == b.CurrentNodeId && SamePlaceAside(a, b);

    /// <summary>Whether two process records differ only in current node and heartbeat.</summary>
    private static bool SamePlaceAside(ProcessRecord a, ProcessRecord b) =>
        a.PipelineStack.SequenceEqual(b.PipelineStack)
        && a with { CurrentNodeId = "", LastHeartbeat = 0, PipelineStack = b.PipelineStack } == b with { CurrentNodeId = "", LastHeartbeat = 0 };

    private static async ValueTask<StepOutcome> SleepAsync(IStoreTransaction tx, TaskRecord task, ProcessRecord process)
    {
        await tx.Processes.UpdateAsync(process with { Asleep = true }).ConfigureAwait(false);
        await CompleteAsync(tx, task).ConfigureAwait(false);
        return StepOutcome.Done;
    }

    private static async ValueTask<StepOutcome> ReachDestinationAsync(IStoreTransaction tx, TaskRecord task, ProcessRecord child)
    {
        await tx.Processes.UpdateAsync(child with { Dead = true }).ConfigureAwait(false);
        if (await tx.Processes.AcknowledgeChildAsync(child.ParentId).ConfigureAwait(false))
        {
            await tx.Tasks.AddAsync(TaskRecord.Execute(child.RootPipelineId, child.ParentId, child.DestinationId)).ConfigureAwait(false);
        }

        await CompleteAsync(tx, task).ConfigureAwait(false);
        return StepOutcome.Done;
    }

    /// <summary>
    /// A revoked pipeline on the stack → the process dies; a suspended one → it stops there (the first one from the
    /// root decides). Bamboo only looks at the root's REVOKED state, so revoking a subprocess later broke its end
    /// event; here it ends that subprocess's work.
    /// </summary>
    private static ProcessRecord? CheckStack(IReadOnlyList<StateRecord> stored, ProcessRecord process)
    {
        foreach (var pipelineId in process.PipelineStack)
        {
            var s = Find(stored, pipelineId);
            if (s is null)
            {
                continue;
            }

            if (s.Name == NodeState.Revoked)
            {
                return process with { Dead = true };
            }

            if (s.Name == NodeState.Suspended)
            {
                return process with { Suspended = true, SuspendedBy = pipelineId };
            }
        }

        return null;
    }

    private static StateRecord? Find(IReadOnlyList<StateRecord> states, string nodeId)
    {
        foreach (var s in states)
        {
            if (s.NodeId == nodeId)
            {
                return s;
            }
        }

        return null;
    }

    internal static async ValueTask AddHistoryAsync(IStoreTransaction tx, StateRecord state) =>
        await tx.Schedules.AddHistoryAsync(await HistoryOfAsync(tx, state).ConfigureAwait(false)).ConfigureAwait(false);

    /// <summary>The history row of a node's attempt that is about to be replaced: its state and its data.</summary>
    private static async ValueTask<HistoryRecord> HistoryOfAsync(IStoreTransaction tx, StateRecord state)
    {
        var data = await tx.Data.GetExecutionDataAsync(state.NodeId).ConfigureAwait(false);
        return new HistoryRecord(0, state.NodeId, state.Loop, state.Retry, state.Skip, state.Version,
            state.StartedTime, state.ArchivedTime, data?.Inputs ?? [], data?.Outputs ?? []);
    }

    /// <summary>
    /// Everything a handler may touch for the node being executed. State changes stay in memory until
    /// <see cref="FlushAsync"/>, so a node that enters and leaves RUNNING in one transaction is written once.
    /// </summary>
    private sealed class NodeStep(IStoreTransaction tx, TaskRecord task, ProcessRecord process, CompiledPipeline compiled, NodeInfo info, StateRecord state,
        StateRecord? persisted, UserCodeResults userCode)
    {
        private StateRecord? _persisted = persisted;

        /// <summary>Results of user code run between transactions; asking for a missing one stops the walk.</summary>
        public UserCodeResults UserCode { get; } = userCode;

        /// <summary>A lazy variable's value for <see cref="ContextHydrator.Hydrate"/>.</summary>
        public JsonNode? Lazy(string code, JsonNode? input) => UserCode.Lazy(code, input, Compiled.RootDataCopy);

        /// <summary>
        /// Whether the node had a state before this step. Without one no operator can have touched it yet (a retry
        /// with new inputs needs a FAILED state), so there is no stored input override to look up.
        /// </summary>
        public bool HadState { get; } = persisted is not null;

        public IStoreTransaction Tx { get; } = tx;

        public TaskRecord Task { get; } = task;

        public ProcessRecord Process { get; set; } = process;

        public CompiledPipeline Compiled { get; } = compiled;

        public NodeInfo Info { get; } = info;

        public StateRecord State { get; set; } = state;

        public string TopPipelineId => Process.PipelineStack[^1];

        public ServiceCallOutcome? ServiceCall { get; set; }

        /// <summary>Where a fork puts the children that start in this transaction; null: the fork queues them all.</summary>
        public Branches? Branches { get; init; }

        public void Finish(bool errorIgnored = false) =>
            State = StateWriter.Next(State.NodeId, State, new StateWriter.Change(NodeState.Finished)
            {
                SetArchiveTime = true,
                ErrorIgnored = errorIgnored,
            }, Tx.Now);

        /// <summary>Writes the pending state if it differs from what is stored.</summary>
        public async ValueTask FlushAsync()
        {
            if (_persisted != State)
            {
                await StateWriter.WriteAsync(Tx, State, _persisted).ConfigureAwait(false);
                _persisted = State;
            }
        }

        public async ValueTask FailAsync(string? exData)
        {
            if (exData is not null)
            {
                await SetExDataAsync(Tx, State.NodeId, exData).ConfigureAwait(false);
            }

            State = StateWriter.Next(State.NodeId, State, new StateWriter.Change(NodeState.Failed) { SetArchiveTime = true }, Tx.Now);
        }
    }

    private abstract record HandlerResult
    {
        public sealed record Next(string NodeId) : HandlerResult;

        public sealed record CallService : HandlerResult;

        public sealed record Sleep : HandlerResult;

        public sealed record Die : HandlerResult;

        public static readonly HandlerResult SleepResult = new Sleep();
    }
}
