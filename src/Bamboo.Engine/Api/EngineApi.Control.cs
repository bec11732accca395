using System.Text.Json.Nodes;
using Bamboo.Engine.Components;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Api;

public static partial class EngineApi
{
    private static Task<EngineApiResult> Command(IEngineRuntime runtime, Func<IStepTransaction, JsonNode?> body, CancellationToken cancellationToken) =>
        Guard(() => runtime.TransactAsync(body, cancellationToken));

    /// <summary>
    /// A command on an activity whose service may want the API hooks (execution.md §13.2). They are read-only: the
    /// pre hook sees the node's data before the change, the post hook after it, and both run once the change has
    /// committed, so a hook can neither block the store nor alter the outcome.
    /// </summary>
    private static Task<EngineApiResult> HookedCommand(IEngineRuntime runtime, string nodeId, ServiceHook pre, ServiceHook post,
        Func<IStepTransaction, JsonNode?> body, CancellationToken cancellationToken, JsonObject? callbackData = null) =>
        Guard(async () =>
        {
            HookView? seen = null;
            var result = await runtime.TransactAsync(tx =>
            {
                // An unknown node is left to the command itself, so that its checks and messages come first.
                var compiled = CompiledPipelineCache.Of(runtime).FindForNode(tx, nodeId);
                var before = Snapshot(tx, nodeId);
                var value = body(tx);
                if (compiled?.Node(nodeId).Node is ServiceActivityNode activity)
                {
                    seen = new HookView(activity, before, Snapshot(tx, nodeId), compiled.RootDataCopy(), compiled.RootId, tx.GetState(nodeId));
                }

                return value;
            }, cancellationToken).ConfigureAwait(false);
            if (seen is { } view && runtime.Components.HasComponent(view.Activity.ComponentCode, view.Activity.ComponentVersion))
            {
                var service = runtime.Components.CreateService(view.Activity.ComponentCode, view.Activity.ComponentVersion);
                if (service.NeedRunHook)
                {
                    service.Context = new ServiceContext(nodeId, view.State?.Version ?? "", view.RootId, view.RootId, view.State?.Loop ?? 1,
                        view.State?.InnerLoop ?? 1, runtime.Time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
                    await ReadOnlyHookAsync(service, pre, view.Before, view.RootData, callbackData, cancellationToken).ConfigureAwait(false);
                    await ReadOnlyHookAsync(service, post, view.After, view.RootData, callbackData, cancellationToken).ConfigureAwait(false);
                }
            }

            return result;
        });

    private sealed record HookView(ServiceActivityNode Activity, ExecutionData Before, ExecutionData After, JsonObject RootData, string RootId, StateRecord? State);

    private static ExecutionData Snapshot(IStepTransaction tx, string nodeId)
    {
        var data = tx.GetExecutionData(nodeId);
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

    private static StateRecord RequireState(IStepTransaction tx, string nodeId) =>
        tx.GetState(nodeId) ?? throw new NotFoundError($"node({nodeId}) does not exist or has no state yet");

    private static ProcessRecord SleepingProcessAt(IStepTransaction tx, string nodeId)
    {
        var processes = tx.GetProcessesAt(nodeId, asleep: true, dead: false);
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

    private static StateRecord RequirePipeline(IStepTransaction tx, string pipelineId) =>
        tx.GetState(pipelineId) ?? throw new NotFoundError($"node({pipelineId}) does not exist");

    /// <summary>Pause and revoke: the pipeline's state moves if the transition is legal; its processes notice at their next node.</summary>
    private static Task<EngineApiResult> MovePipeline(IEngineRuntime runtime, string pipelineId, string to, CancellationToken cancellationToken) =>
        Command(runtime, tx =>
        {
            StateWriter.Set(tx, pipelineId, new StateWriter.Change(to), RequirePipeline(tx, pipelineId));
            return null;
        }, cancellationToken);

    public static Task<EngineApiResult> PausePipelineAsync(IEngineRuntime runtime, string pipelineId, CancellationToken cancellationToken = default) =>
        MovePipeline(runtime, pipelineId, NodeState.Suspended, cancellationToken);

    public static Task<EngineApiResult> RevokePipelineAsync(IEngineRuntime runtime, string pipelineId, CancellationToken cancellationToken = default) =>
        MovePipeline(runtime, pipelineId, NodeState.Revoked, cancellationToken);

    public static Task<EngineApiResult> ResumePipelineAsync(IEngineRuntime runtime, string pipelineId, CancellationToken cancellationToken = default) =>
        Command(runtime, tx =>
        {
            var state = RequirePipeline(tx, pipelineId);
            if (state.Name != NodeState.Suspended)
            {
                throw new InvalidOperationError($"pipeline({pipelineId}) state is: {state.Name}, expected SUSPENDED");
            }

            StateWriter.Set(tx, pipelineId, new StateWriter.Change(NodeState.Running), state);
            Restart(tx, tx.GetProcessesSuspendedBy(pipelineId));
            return null;
        }, cancellationToken);

    private static void Restart(IStepTransaction tx, IEnumerable<ProcessRecord> processes)
    {
        foreach (var p in processes)
        {
            tx.UpdateProcess(p with { Suspended = false, SuspendedBy = "" });
            tx.Enqueue(PipelineEngine.NewExecuteTask(tx, p.Id, p.CurrentNodeId));
        }
    }

    public static Task<EngineApiResult> PauseNodeAppointAsync(IEngineRuntime runtime, string nodeId, CancellationToken cancellationToken = default) =>
        HookedCommand(runtime, nodeId, ServiceHook.PrePauseNode, ServiceHook.PostPauseNode, tx =>
        {
            var info = CompiledFor(runtime, tx, nodeId).Node(nodeId);
            if (info.Node.Kind == NodeKind.SubProcess)
            {
                throw new InvalidOperationError("can not use pause_node_appoint api for NodeType.SubProcess");
            }

            var state = tx.GetState(nodeId);
            if (state?.Name == NodeState.Running)
            {
                // Deliberate difference from bamboo: pausing a running node would strand it (execution.md §10.2).
                throw new InvalidOperationError($"node({nodeId}) is RUNNING; pause_node_appoint only applies to nodes that have not started");
            }

            StateWriter.Set(tx, nodeId, new StateWriter.Change(NodeState.Suspended), state);
            return null;
        }, cancellationToken);

    public static Task<EngineApiResult> ResumeNodeAppointAsync(IEngineRuntime runtime, string nodeId, CancellationToken cancellationToken = default) =>
        Command(runtime, tx =>
        {
            var info = CompiledFor(runtime, tx, nodeId).Node(nodeId);
            if (info.Node.Kind == NodeKind.SubProcess)
            {
                throw new InvalidOperationError("can not use resume_node_appoint api for NodeType.SubProcess");
            }

            var state = tx.GetState(nodeId);
            if (state is not null && state.Name != NodeState.Suspended)
            {
                throw new InvalidOperationError($"node({nodeId}) state is {state.Name}, expected SUSPENDED");
            }

            StateWriter.Set(tx, nodeId, new StateWriter.Change(NodeState.Ready), state);
            Restart(tx, tx.GetProcessesSuspendedBy(nodeId));
            return null;
        }, cancellationToken);

    /// <summary>Re-runs a FAILED node, optionally with new raw inputs.</summary>
    public static Task<EngineApiResult> RetryNodeAsync(IEngineRuntime runtime, string nodeId, JsonObject? data = null, CancellationToken cancellationToken = default) =>
        HookedCommand(runtime, nodeId, ServiceHook.PreRetryNode, ServiceHook.PostRetryNode, tx =>
        {
            var info = CompiledFor(runtime, tx, nodeId).Node(nodeId);
            if (info.Node is ServiceActivityNode { Retryable: false })
            {
                throw new InvalidOperationError($"can not retry node({nodeId}) with can_retry(False)");
            }

            var state = RequireState(tx, nodeId);
            RequireFailed(state);
            var process = SleepingProcessAt(tx, nodeId);
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

                tx.SetRawInputsOverride(nodeId, raw);
            }

            RetryAt(tx, state, process);
            return null;
        }, cancellationToken);

    /// <summary>History of the failed attempt, READY under a new version, and the process restarted at the node.</summary>
    private static void RetryAt(IStepTransaction tx, StateRecord state, ProcessRecord process)
    {
        PipelineEngine.AddHistory(tx, state);
        StateWriter.Set(tx, state.NodeId, new StateWriter.Change(NodeState.Ready)
        {
            IsRetry = true,
            RefreshVersion = true,
            ClearStartedTime = true,
            ClearArchivedTime = true,
        }, state);
        tx.Enqueue(PipelineEngine.NewExecuteTask(tx, process.Id, state.NodeId));
    }

    public static Task<EngineApiResult> RetrySubprocessAsync(IEngineRuntime runtime, string nodeId, CancellationToken cancellationToken = default) =>
        Command(runtime, tx =>
        {
            var info = CompiledFor(runtime, tx, nodeId).Node(nodeId);
            if (info.Node.Kind != NodeKind.SubProcess)
            {
                throw new InvalidOperationError($"node({nodeId}) type is not SubProcess");
            }

            var state = RequireState(tx, nodeId);
            RequireFailed(state);
            var process = SleepingProcessAt(tx, nodeId);
            if (process.PipelineStack.Count > 0 && process.PipelineStack[^1] == nodeId)
            {
                tx.UpdateProcess(process with { PipelineStack = process.PipelineStack.Take(process.PipelineStack.Count - 1).ToList() });
            }

            RetryAt(tx, state, process);
            return null;
        }, cancellationToken);

    /// <summary>Finishes a FAILED activity (or start event) without running it and continues.</summary>
    public static Task<EngineApiResult> SkipNodeAsync(IEngineRuntime runtime, string nodeId, CancellationToken cancellationToken = default) =>
        HookedCommand(runtime, nodeId, ServiceHook.PreSkipNode, ServiceHook.PostSkipNode, tx =>
        {
            var info = CompiledFor(runtime, tx, nodeId).Node(nodeId);
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

            var state = RequireState(tx, nodeId);
            RequireFailed(state);
            var process = SleepingProcessAt(tx, nodeId);
            SkipTo(tx, state, process, info.Single);
            return null;
        }, cancellationToken);

    private static void SkipTo(IStepTransaction tx, StateRecord state, ProcessRecord process, string next)
    {
        MarkSkipped(tx, state);
        tx.Enqueue(PipelineEngine.NewExecuteTask(tx, process.Id, next));
    }

    /// <summary>History of the failed attempt, then FINISHED with skip under a new version.</summary>
    private static void MarkSkipped(IStepTransaction tx, StateRecord state)
    {
        PipelineEngine.AddHistory(tx, state);
        StateWriter.Set(tx, state.NodeId, new StateWriter.Change(NodeState.Finished) { IsSkip = true, RefreshVersion = true, SetArchiveTime = true }, state);
    }

    public static Task<EngineApiResult> SkipExclusiveGatewayAsync(IEngineRuntime runtime, string nodeId, string flowId, CancellationToken cancellationToken = default) =>
        Command(runtime, tx =>
        {
            var info = CompiledFor(runtime, tx, nodeId).Node(nodeId);
            if (info.Node.Kind != NodeKind.ExclusiveGateway)
            {
                throw new InvalidOperationError($"{nodeId} is not exclusive gateway, actual: {info.Node.Type}");
            }

            var target = info.Targets.FirstOrDefault(t => t.FlowId == flowId).Target
                ?? throw new InvalidOperationError($"flow {flowId} is not an outgoing flow of gateway {nodeId}");
            var state = RequireState(tx, nodeId);
            RequireFailed(state);
            SkipTo(tx, state, SleepingProcessAt(tx, nodeId), target);
            return null;
        }, cancellationToken);

    public static Task<EngineApiResult> SkipConditionalParallelGatewayAsync(IEngineRuntime runtime, string nodeId, IReadOnlyList<string> flowIds, string convergeGatewayId, CancellationToken cancellationToken = default) =>
        Command(runtime, tx =>
        {
            var info = CompiledFor(runtime, tx, nodeId).Node(nodeId);
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
            var state = RequireState(tx, nodeId);
            RequireFailed(state);
            var process = SleepingProcessAt(tx, nodeId);
            PipelineEngine.ForkChildren(tx, process, targets, convergeGatewayId);
            MarkSkipped(tx, state);
            return null;
        }, cancellationToken);

    /// <summary>Fails a RUNNING activity; its late execute or schedule results are then discarded.</summary>
    public static Task<EngineApiResult> ForcedFailActivityAsync(IEngineRuntime runtime, string nodeId, string exData, CancellationToken cancellationToken = default) =>
        HookedCommand(runtime, nodeId, ServiceHook.PreForcedFailActivity, ServiceHook.PostForcedFailActivity, tx =>
        {
            var info = CompiledFor(runtime, tx, nodeId).Node(nodeId);
            if (info.Node.Kind != NodeKind.ServiceActivity)
            {
                throw new InvalidOperationError($"{nodeId} is not activity, actual: {info.Node.Type}");
            }

            var state = RequireState(tx, nodeId);
            if (state.Name != NodeState.Running)
            {
                throw new InvalidOperationError($"{nodeId} state is not RUNNING, actual {state.Name}");
            }

            var live = tx.GetProcessesAt(nodeId, asleep: null, dead: false);
            if (live.Count == 0)
            {
                throw new InvalidOperationError($"can not find process with current node id: {nodeId}");
            }

            var data = tx.GetExecutionData(nodeId);
            var outputs = data?.Outputs ?? [];
            outputs["ex_data"] = exData;
            outputs["_forced_failed"] = true;
            StateWriter.Set(tx, nodeId, new StateWriter.Change(NodeState.Failed) { RefreshVersion = true, SetArchiveTime = true }, state);
            tx.SetExecutionData(new ExecutionDataRecord(nodeId, data?.Inputs ?? [], outputs));
            tx.UpdateProcess(live[0] with { Asleep = true });
            return null;
        }, cancellationToken);

    /// <summary>Delivers callback data to an activity waiting in its schedule phase at <paramref name="version"/>.</summary>
    public static Task<EngineApiResult> CallbackAsync(IEngineRuntime runtime, string nodeId, string version, JsonObject? data, CancellationToken cancellationToken = default) =>
        HookedCommand(runtime, nodeId, ServiceHook.PreCallback, ServiceHook.PostCallback, tx =>
        {
            var process = SleepingProcessAt(tx, nodeId);
            var state = RequireState(tx, nodeId);
            var schedule = tx.GetSchedule(nodeId, version) ?? throw new NotFoundError($"node({nodeId}) has no schedule for version {version}");
            if (state.Version != version)
            {
                tx.UpdateSchedule(schedule with { Expired = true });
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

            var callbackId = tx.InsertCallbackData(nodeId, version, (JsonObject?)data?.DeepClone() ?? []);
            tx.Enqueue(new TaskRecord(0, TaskKind.Schedule, process.Id, nodeId, schedule.Id, callbackId, null, tx.Now, null, null, 0));
            return null;
        }, cancellationToken, data);
}
