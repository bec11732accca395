using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Bamboo.Engine.Components;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Api;

internal static partial class EngineApi
{
    private static Task<EngineApiResult> Command(BambooEngine engine, string id, Func<IStoreTransaction, ValueTask<JsonNode?>> body, CancellationToken cancellationToken,
        [CallerArgumentExpression(nameof(id))] string? name = null) =>
        Guard(id, () => engine.Store.WriteAsync(body, cancellationToken), name);

    /// <summary>
    /// A command on an activity whose service may want the API hooks (execution.md §13.2). They are read-only: the
    /// pre hook sees the node's data before the change, the post hook after it, and both run once the change has
    /// committed, so a hook can neither block the store nor alter the outcome.
    /// </summary>
    private static Task<EngineApiResult> HookedCommand(BambooEngine engine, string nodeId, ServiceHook pre, ServiceHook post,
        Func<IStoreTransaction, ValueTask<JsonNode?>> body, CancellationToken cancellationToken, JsonObject? callbackData = null) =>
        Guard(nodeId, async () =>
        {
            HookView? seen = null;
            var result = await engine.Store.WriteAsync(async tx =>
            {
                // An unknown node is left to the command itself, so that its checks and messages come first.
                var compiled = await engine.Compiled.FindForNodeAsync(tx, nodeId).ConfigureAwait(false);
                var before = await SnapshotAsync(tx, nodeId).ConfigureAwait(false);
                var value = await body(tx).ConfigureAwait(false);
                if (compiled?.Node(nodeId).Node is ServiceActivityNode activity)
                {
                    seen = new HookView(activity, before, await SnapshotAsync(tx, nodeId).ConfigureAwait(false), compiled.RootDataCopy(), compiled.RootId,
                        await tx.States.GetAsync(nodeId).ConfigureAwait(false));
                }

                return value;
            }, cancellationToken).ConfigureAwait(false);
            if (seen is { } view && engine.Components.HasComponent(view.Activity.ComponentCode, view.Activity.ComponentVersion))
            {
                var service = engine.Components.CreateService(view.Activity.ComponentCode, view.Activity.ComponentVersion);
                if (service.NeedRunHook)
                {
                    service.Context = new ServiceContext(nodeId, view.State?.Version ?? "", view.RootId, view.RootId, view.State?.Loop ?? 1,
                        view.State?.InnerLoop ?? 1, engine.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
                    await ReadOnlyHookAsync(service, pre, view.Before, view.RootData, callbackData, cancellationToken).ConfigureAwait(false);
                    await ReadOnlyHookAsync(service, post, view.After, view.RootData, callbackData, cancellationToken).ConfigureAwait(false);
                }
            }

            return result;
        });

    private sealed record HookView(ServiceActivityNode Activity, ExecutionData Before, ExecutionData After, JsonObject RootData, string RootId, StateRecord? State);

    private static async ValueTask<ExecutionData> SnapshotAsync(IStoreTransaction tx, string nodeId)
    {
        var data = await tx.Data.GetExecutionDataAsync(nodeId).ConfigureAwait(false);
        return new ExecutionData((JsonObject?)data?.Inputs.DeepClone() ?? [], (JsonObject?)data?.Outputs.DeepClone() ?? []);
    }

    private static async Task ReadOnlyHookAsync(Service service, ServiceHook hook, ExecutionData data, JsonObject rootData, JsonObject? callbackData, CancellationToken cancellationToken)
    {
        try
        {
            await service.OnHookAsync(hook, data, new ExecutionData((JsonObject)rootData.DeepClone(), []), callbackData, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Hook failures are swallowed, as in bamboo; the API call already took effect.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            // Nothing to undo: the hooks are read-only.
        }
    }

    private static async ValueTask<StateRecord> RequireStateAsync(IStoreTransaction tx, string nodeId) =>
        await tx.States.GetAsync(nodeId).ConfigureAwait(false) ?? throw new NotFoundError($"node({nodeId}) does not exist or has no state yet");

    private static async ValueTask<ProcessRecord> SleepingProcessAtAsync(IStoreTransaction tx, string nodeId)
    {
        var processes = await tx.Processes.GetAtAsync(nodeId, asleep: true, dead: false).ConfigureAwait(false);
        return processes.Count switch
        {
            0 => throw new InvalidOperationError($"can not find sleep process with current node id: {nodeId}"),
            1 => processes[0],
            _ => throw new InvalidOperationError($"found multiple sleep process({string.Join(", ", processes.Select(p => p.Id))}) with current_node_id({nodeId})"),
        };
    }

    private static void RequireFailed(StateRecord state)
    {
        if (state.Name != NodeState.Failed)
        {
            throw new InvalidOperationError($"{state.NodeId} state is not FAILED, actual {state.Name}");
        }
    }

    /// <summary>
    /// The state of the pipeline an API call names: a run's root or a subprocess. Deliberate difference from bamboo,
    /// which takes any node here: pausing or revoking an activity as if it were a pipeline strands its run (no process
    /// ever looks at that state again).
    /// </summary>
    private static async ValueTask<StateRecord> RequirePipelineAsync(BambooEngine engine, IStoreTransaction tx, string pipelineId, string api)
    {
        var state = await tx.States.GetAsync(pipelineId).ConfigureAwait(false) ?? throw new NotFoundError($"node({pipelineId}) does not exist");
        if (state.RootId == pipelineId)
        {
            return state;
        }

        var kind = (await CompiledForAsync(engine, tx, pipelineId).ConfigureAwait(false)).Node(pipelineId).Node.Kind;
        return kind == NodeKind.SubProcess
            ? state
            : throw new InvalidOperationError($"node({pipelineId}) is a {kind}, not a pipeline: {api} takes a run's id or a subprocess's");
    }

    /// <summary>Pause and revoke: the pipeline's state moves if the transition is legal; its processes notice at their next node.</summary>
    private static Task<EngineApiResult> MovePipeline(BambooEngine engine, string pipelineId, string to, CancellationToken cancellationToken) =>
        Command(engine, pipelineId, async tx =>
        {
            var state = await RequirePipelineAsync(engine, tx, pipelineId, to == NodeState.Revoked ? "revoke_pipeline" : "pause_pipeline").ConfigureAwait(false);
            await StateWriter.SetAsync(tx, pipelineId, new StateWriter.Change(to), state).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    public static Task<EngineApiResult> PausePipelineAsync(BambooEngine engine, string pipelineId, CancellationToken cancellationToken = default) =>
        MovePipeline(engine, pipelineId, NodeState.Suspended, cancellationToken);

    public static Task<EngineApiResult> RevokePipelineAsync(BambooEngine engine, string pipelineId, CancellationToken cancellationToken = default) =>
        MovePipeline(engine, pipelineId, NodeState.Revoked, cancellationToken);

    public static Task<EngineApiResult> ResumePipelineAsync(BambooEngine engine, string pipelineId, CancellationToken cancellationToken = default) =>
        Command(engine, pipelineId, async tx =>
        {
            var state = await RequirePipelineAsync(engine, tx, pipelineId, "resume_pipeline").ConfigureAwait(false);
            if (state.Name != NodeState.Suspended)
            {
                throw new InvalidOperationError($"pipeline({pipelineId}) state is: {state.Name}, expected SUSPENDED");
            }

            await StateWriter.SetAsync(tx, pipelineId, new StateWriter.Change(NodeState.Running), state).ConfigureAwait(false);
            await RestartAsync(tx, await tx.Processes.GetSuspendedByAsync(pipelineId).ConfigureAwait(false)).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    private static async ValueTask RestartAsync(IStoreTransaction tx, IEnumerable<ProcessRecord> processes)
    {
        foreach (var p in processes)
        {
            await tx.Processes.UpdateAsync(p with { Suspended = false, SuspendedBy = "" }).ConfigureAwait(false);
            await tx.Tasks.AddAsync(TaskRecord.Execute(p.RootPipelineId, p.Id, p.CurrentNodeId)).ConfigureAwait(false);
        }
    }

    public static Task<EngineApiResult> PauseNodeAppointAsync(BambooEngine engine, string nodeId, CancellationToken cancellationToken = default) =>
        HookedCommand(engine, nodeId, ServiceHook.PrePauseNode, ServiceHook.PostPauseNode, async tx =>
        {
            var info = (await CompiledForAsync(engine, tx, nodeId).ConfigureAwait(false)).Node(nodeId);
            if (info.Node.Kind == NodeKind.SubProcess)
            {
                throw new InvalidOperationError("can not use pause_node_appoint api for NodeType.SubProcess");
            }

            var state = await tx.States.GetAsync(nodeId).ConfigureAwait(false);
            if (state?.Name == NodeState.Running)
            {
                // Deliberate difference from bamboo: pausing a running node would strand it (execution.md §10.2).
                throw new InvalidOperationError($"node({nodeId}) is RUNNING; pause_node_appoint only applies to nodes that have not started");
            }

            await StateWriter.SetAsync(tx, nodeId, new StateWriter.Change(NodeState.Suspended), state).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    public static Task<EngineApiResult> ResumeNodeAppointAsync(BambooEngine engine, string nodeId, CancellationToken cancellationToken = default) =>
        Command(engine, nodeId, async tx =>
        {
            var info = (await CompiledForAsync(engine, tx, nodeId).ConfigureAwait(false)).Node(nodeId);
            if (info.Node.Kind == NodeKind.SubProcess)
            {
                throw new InvalidOperationError("can not use resume_node_appoint api for NodeType.SubProcess");
            }

            var state = await tx.States.GetAsync(nodeId).ConfigureAwait(false);
            if (state is not null && state.Name != NodeState.Suspended)
            {
                throw new InvalidOperationError($"node({nodeId}) state is {state.Name}, expected SUSPENDED");
            }

            await StateWriter.SetAsync(tx, nodeId, new StateWriter.Change(NodeState.Ready), state).ConfigureAwait(false);
            await RestartAsync(tx, await tx.Processes.GetSuspendedByAsync(nodeId).ConfigureAwait(false)).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    /// <summary>Re-runs a FAILED node, optionally with new raw inputs.</summary>
    public static Task<EngineApiResult> RetryNodeAsync(BambooEngine engine, string nodeId, JsonObject? data = null, CancellationToken cancellationToken = default) =>
        HookedCommand(engine, nodeId, ServiceHook.PreRetryNode, ServiceHook.PostRetryNode, async tx =>
        {
            var info = (await CompiledForAsync(engine, tx, nodeId).ConfigureAwait(false)).Node(nodeId);
            if (info.Node is ServiceActivityNode { Retryable: false })
            {
                throw new InvalidOperationError($"can not retry node({nodeId}) with can_retry(False)");
            }

            var state = await RequireStateAsync(tx, nodeId).ConfigureAwait(false);
            RequireFailed(state);
            var process = await SleepingProcessAtAsync(tx, nodeId).ConfigureAwait(false);
            if (data is not null)
            {
                var escape = (data["_escape_render_keys"] as JsonArray)?.Select(x => x?.GetValue<string>()).ToHashSet() ?? [];
                var raw = new JsonObject();
                foreach (var (k, v) in data)
                {
                    if (k != "_escape_render_keys")
                    {
                        raw[k] = new JsonObject { ["need_render"] = !escape.Contains(k), ["value"] = v?.DeepClone() };
                    }
                }

                await tx.Data.SetRawInputsOverrideAsync(nodeId, raw).ConfigureAwait(false);
            }

            await RetryAtAsync(tx, state, process).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    /// <summary>History of the failed attempt, READY under a new version, and the process restarted at the node.</summary>
    private static async ValueTask RetryAtAsync(IStoreTransaction tx, StateRecord state, ProcessRecord process)
    {
        await PipelineEngine.AddHistoryAsync(tx, state).ConfigureAwait(false);
        await StateWriter.SetAsync(tx, state.NodeId, new StateWriter.Change(NodeState.Ready)
        {
            IsRetry = true,
            RefreshVersion = true,
            ClearStartedTime = true,
            ClearArchivedTime = true,
        }, state).ConfigureAwait(false);
        await tx.Tasks.AddAsync(TaskRecord.Execute(process.RootPipelineId, process.Id, state.NodeId)).ConfigureAwait(false);
    }

    public static Task<EngineApiResult> RetrySubprocessAsync(BambooEngine engine, string nodeId, CancellationToken cancellationToken = default) =>
        Command(engine, nodeId, async tx =>
        {
            var info = (await CompiledForAsync(engine, tx, nodeId).ConfigureAwait(false)).Node(nodeId);
            if (info.Node.Kind != NodeKind.SubProcess)
            {
                throw new InvalidOperationError($"node({nodeId}) type is not SubProcess");
            }

            var state = await RequireStateAsync(tx, nodeId).ConfigureAwait(false);
            RequireFailed(state);
            var process = await SleepingProcessAtAsync(tx, nodeId).ConfigureAwait(false);
            if (process.PipelineStack.Count > 0 && process.PipelineStack[^1] == nodeId)
            {
                await tx.Processes.UpdateAsync(process with { PipelineStack = process.PipelineStack.Take(process.PipelineStack.Count - 1).ToList() }).ConfigureAwait(false);
            }

            await RetryAtAsync(tx, state, process).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    /// <summary>Finishes a FAILED activity (or start event) without running it and continues.</summary>
    public static Task<EngineApiResult> SkipNodeAsync(BambooEngine engine, string nodeId, CancellationToken cancellationToken = default) =>
        HookedCommand(engine, nodeId, ServiceHook.PreSkipNode, ServiceHook.PostSkipNode, async tx =>
        {
            var info = (await CompiledForAsync(engine, tx, nodeId).ConfigureAwait(false)).Node(nodeId);
            var skippable = info.Node switch
            {
                ServiceActivityNode a => a.Skippable,
                StartEventNode or GatewayNode { Kind: NodeKind.ExclusiveGateway } => true,
                _ => false,
            };
            if (!skippable)
            {
                throw new InvalidOperationError($"can not skip this node ({nodeId}, {info.Node.Type})");
            }

            if (info.Node.Kind is not (NodeKind.ServiceActivity or NodeKind.EmptyStartEvent))
            {
                throw new InvalidOperationError($"can not use skip_node api for NodeType.{info.Node.Kind}");
            }

            var state = await RequireStateAsync(tx, nodeId).ConfigureAwait(false);
            RequireFailed(state);
            var process = await SleepingProcessAtAsync(tx, nodeId).ConfigureAwait(false);
            await SkipToAsync(tx, state, process, info.Single).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    private static async ValueTask SkipToAsync(IStoreTransaction tx, StateRecord state, ProcessRecord process, string next)
    {
        await MarkSkippedAsync(tx, state).ConfigureAwait(false);
        await tx.Tasks.AddAsync(TaskRecord.Execute(process.RootPipelineId, process.Id, next)).ConfigureAwait(false);
    }

    /// <summary>History of the failed attempt, then FINISHED with skip under a new version.</summary>
    private static async ValueTask MarkSkippedAsync(IStoreTransaction tx, StateRecord state)
    {
        await PipelineEngine.AddHistoryAsync(tx, state).ConfigureAwait(false);
        await StateWriter.SetAsync(tx, state.NodeId, new StateWriter.Change(NodeState.Finished) { IsSkip = true, RefreshVersion = true, SetArchiveTime = true }, state).ConfigureAwait(false);
    }

    public static Task<EngineApiResult> SkipExclusiveGatewayAsync(BambooEngine engine, string nodeId, string flowId, CancellationToken cancellationToken = default) =>
        Command(engine, nodeId, async tx =>
        {
            ArgumentNullException.ThrowIfNull(flowId);
            CheckStorable(flowId);
            var info = (await CompiledForAsync(engine, tx, nodeId).ConfigureAwait(false)).Node(nodeId);
            if (info.Node.Kind != NodeKind.ExclusiveGateway)
            {
                throw new InvalidOperationError($"{nodeId} is not exclusive gateway, actual: {info.Node.Type}");
            }

            var target = info.Targets.FirstOrDefault(t => t.FlowId == flowId).Target
                ?? throw new InvalidOperationError($"flow {flowId} is not an outgoing flow of gateway {nodeId}");
            var state = await RequireStateAsync(tx, nodeId).ConfigureAwait(false);
            RequireFailed(state);
            await SkipToAsync(tx, state, await SleepingProcessAtAsync(tx, nodeId).ConfigureAwait(false), target).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    public static Task<EngineApiResult> SkipConditionalParallelGatewayAsync(BambooEngine engine, string nodeId, IReadOnlyList<string> flowIds, string convergeGatewayId, CancellationToken cancellationToken = default) =>
        Command(engine, nodeId, async tx =>
        {
            ArgumentNullException.ThrowIfNull(flowIds);
            ArgumentNullException.ThrowIfNull(convergeGatewayId);
            CheckStorable(convergeGatewayId);
            foreach (var flowId in flowIds)
            {
                CheckStorable(flowId, nameof(flowIds));
            }

            var info = (await CompiledForAsync(engine, tx, nodeId).ConfigureAwait(false)).Node(nodeId);
            if (info.Node is not GatewayNode { Kind: NodeKind.ConditionalParallelGateway } gateway)
            {
                throw new InvalidOperationError($"{nodeId} is not conditional parallel gateway, actual: {info.Node.Type}");
            }

            if (flowIds.Count == 0)
            {
                throw new InvalidOperationError($"skip_conditional_parallel_gateway on {nodeId} needs at least one flow id");
            }

            if (convergeGatewayId != gateway.ConvergeGatewayId)
            {
                throw new InvalidOperationError($"converge gateway {convergeGatewayId} does not close gateway {nodeId} (expected {gateway.ConvergeGatewayId})");
            }

            var targets = flowIds.Select(f => info.Targets.FirstOrDefault(t => t.FlowId == f).Target
                ?? throw new InvalidOperationError($"flow {f} is not an outgoing flow of gateway {nodeId}")).Distinct().ToList();
            var state = await RequireStateAsync(tx, nodeId).ConfigureAwait(false);
            RequireFailed(state);
            var process = await SleepingProcessAtAsync(tx, nodeId).ConfigureAwait(false);
            await PipelineEngine.ForkChildrenAsync(tx, process, targets, convergeGatewayId).ConfigureAwait(false);
            await MarkSkippedAsync(tx, state).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    /// <summary>Fails a RUNNING activity; its late execute or schedule results are then discarded.</summary>
    public static Task<EngineApiResult> ForcedFailActivityAsync(BambooEngine engine, string nodeId, string exData, CancellationToken cancellationToken = default) =>
        HookedCommand(engine, nodeId, ServiceHook.PreForcedFailActivity, ServiceHook.PostForcedFailActivity, async tx =>
        {
            ArgumentNullException.ThrowIfNull(exData);
            var info = (await CompiledForAsync(engine, tx, nodeId).ConfigureAwait(false)).Node(nodeId);
            if (info.Node.Kind != NodeKind.ServiceActivity)
            {
                throw new InvalidOperationError($"{nodeId} is not activity, actual: {info.Node.Type}");
            }

            var state = await RequireStateAsync(tx, nodeId).ConfigureAwait(false);
            if (state.Name != NodeState.Running)
            {
                throw new InvalidOperationError($"{nodeId} state is not RUNNING, actual {state.Name}");
            }

            var live = await tx.Processes.GetAtAsync(nodeId, asleep: null, dead: false).ConfigureAwait(false);
            if (live.Count == 0)
            {
                throw new InvalidOperationError($"can not find process with current node id: {nodeId}");
            }

            var data = await tx.Data.GetExecutionDataAsync(nodeId).ConfigureAwait(false);
            var outputs = data?.Outputs ?? [];
            outputs["ex_data"] = exData;
            outputs["_forced_failed"] = true;
            await StateWriter.SetAsync(tx, nodeId, new StateWriter.Change(NodeState.Failed) { RefreshVersion = true, SetArchiveTime = true }, state).ConfigureAwait(false);
            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(nodeId, data?.Inputs ?? [], outputs)).ConfigureAwait(false);
            await tx.Processes.UpdateAsync(live[0] with { Asleep = true }).ConfigureAwait(false);
            return null;
        }, cancellationToken);

    /// <summary>Why callback data cannot be taken (over the size limit, or strings that are not text); null when it can.</summary>
    private static Exception? CallbackDataProblem(BambooEngine engine, string nodeId, JsonObject? data)
    {
        if (data is null)
        {
            return null;
        }

        long size;
        try
        {
            size = JsonSize.Of(data);
        }
        catch (InvalidOperationException)
        {
            // The writer refuses a string holding a surrogate without its pair (JSON can escape one; it is not text).
            return new InvalidOperationError($"callback data for node {nodeId} holds a lone UTF-16 surrogate (\\uD800-\\uDFFF without its pair), which is not text");
        }

        return size > engine.Options.MaxCallbackBytes
            ? new InvalidOperationError($"callback data for node {nodeId} is {size:N0} bytes, over the limit of {engine.Options.MaxCallbackBytes:N0} (EngineOptions.MaxCallbackBytes)")
            : null;
    }

    /// <summary>Delivers callback data to an activity waiting in its schedule phase at <paramref name="version"/>.</summary>
    public static Task<EngineApiResult> CallbackAsync(BambooEngine engine, string nodeId, string version, JsonObject? data, CancellationToken cancellationToken = default) =>
        // Measured before any transaction: a payload over the limit never reaches the store's writer.
        CallbackDataProblem(engine, nodeId, data) is { } refused
            ? Task.FromResult(EngineApiResult.Fail(refused))
            : HookedCommand(engine, nodeId, ServiceHook.PreCallback, ServiceHook.PostCallback, async tx =>
        {
            ArgumentNullException.ThrowIfNull(version);
            CheckStorable(version);
            var process = await SleepingProcessAtAsync(tx, nodeId).ConfigureAwait(false);
            var state = await RequireStateAsync(tx, nodeId).ConfigureAwait(false);
            var schedule = await tx.Schedules.GetAsync(nodeId, version).ConfigureAwait(false) ?? throw new NotFoundError($"node({nodeId}) has no schedule for version {version}");
            if (state.Version != version)
            {
                throw new InvalidOperationError($"node version {version} not exist (current {state.Version})");
            }

            if (schedule.Finished)
            {
                throw new InvalidOperationError("schedule is already finished");
            }

            if (schedule.Expired)
            {
                throw new InvalidOperationError("schedule is already expired");
            }

            var activity = (ServiceActivityNode)(await CompiledForAsync(engine, tx, nodeId).ConfigureAwait(false)).Node(nodeId).Node;
            var callbackId = await tx.Schedules.InsertCallbackDataAsync(nodeId, version, (JsonObject?)data?.DeepClone() ?? []).ConfigureAwait(false);
            await tx.Tasks.AddAsync(TaskRecord.Schedule(process.RootPipelineId, process.Id, nodeId, schedule.Id, callbackId,
                Requirement.Component(activity.ComponentCode, activity.ComponentVersion))).ConfigureAwait(false);
            return null;
        }, cancellationToken, data);
}
