using System.Text.Json.Nodes;
using Bamboo.Engine.Components;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

public sealed partial class PipelineEngine
{
    /// <summary>A recover point: the node is RUNNING at the task's version and its execute was never committed.</summary>
    private async ValueTask<StepOutcome> ResumeServiceCallAsync(IStoreTransaction tx, TaskRecord task, UserCodeResults userCode)
    {
        var state = await tx.States.GetAsync(task.NodeId).ConfigureAwait(false);
        if (state is null || state.Version != task.Version || state.Name != NodeState.Running)
        {
            LogStale(task.NodeId, "recover point no longer matches the node state");
            await tx.Tasks.CompleteAsync(task).ConfigureAwait(false);
            return StepOutcome.Done;
        }

        var process = await tx.Processes.GetAsync(task.ProcessId).ConfigureAwait(false);
        var compiled = await CompiledAsync(tx, process.RootPipelineId).ConfigureAwait(false);
        var step = new NodeStep(tx, task with { Version = null }, process, compiled, compiled.Node(task.NodeId), state, state, userCode);
        HandlerResult result;
        try
        {
            result = await PrepareActivityAsync(step).ConfigureAwait(false);
        }
        catch (UserCodeNeededException)
        {
            return new ResumeOutcome(task, userCode);
        }

        if (result is HandlerResult.CallService)
        {
            return step.ServiceCall! with { Task = task, Process = process };
        }

        await step.FlushAsync().ConfigureAwait(false);
        return await SleepAsync(tx, task, step.Process).ConfigureAwait(false);
    }

    private ServiceContext ContextFor(string nodeId, string version, string top, string root, int loop, int innerLoop) =>
        new(nodeId, version, top, root, loop, innerLoop, engine.Time, logger);

    private async Task<ServiceResult> CallExecuteAsync(ServiceCallOutcome call, CancellationToken cancellationToken)
    {
        var node = (Model.ServiceActivityNode)call.Node.Node;
        // Both objects were made for this call alone (rendered inputs, a copy of the root data): no copies needed.
        var data = new ExecutionData(call.Inputs, []);
        var parent = new ExecutionData(call.RootData, []);
        Service service;
        try
        {
            service = _components.CreateService(node.ComponentCode, node.ComponentVersion);
        }
        catch (NotFoundError ex)
        {
            data.Outputs["ex_data"] = ex.Message;
            return Outcome(data, false, null, call.Loop, call.InnerLoop, node.ErrorIgnorable);
        }

        service.Context = ContextFor(node.Id, call.Version, call.TopPipelineId, call.RootId, call.Loop, call.InnerLoop);
        await HookAsync(service, ServiceHook.NodeEnter, data, parent, null, cancellationToken).ConfigureAwait(false);
        await HookAsync(service, ServiceHook.PreExecute, data, parent, null, cancellationToken).ConfigureAwait(false);
        bool ok;
        var timeout = node.Timeout ?? service.Timeout;
        var inputsBefore = timeout is null ? null : (JsonObject)data.Inputs.DeepClone();
        try
        {
            ok = await CallWatchedAsync(token => service.ExecuteAsync(data, parent, token), timeout, node.Id, call.Version, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceAbandonedException ex)
        {
            // Refused when applied (the node moved on): no hooks, no outputs of the abandoned call.
            return Outcome(new ExecutionData([], new JsonObject { ["ex_data"] = ex.Message }), false, null, call.Loop, call.InnerLoop, node.ErrorIgnorable);
        }
        catch (ServiceTimedOutException)
        {
            // The abandoned call may still change the objects it was given: go on with fresh ones.
            data = new ExecutionData(inputsBefore!, new JsonObject { ["ex_data"] = TimedOut(node, timeout!.Value) });
            parent = new ExecutionData((JsonObject)call.RootData.DeepClone(), []);
            ok = false;
        }
#pragma warning disable CA1031 // Plugin exceptions become the node's failure data, never escape the worker.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            data.Outputs["ex_data"] = ex.ToString();
            await HookAsync(service, ServiceHook.NodeExecuteException, data, parent, null, cancellationToken).ConfigureAwait(false);
            ok = false;
        }

        if (ok)
        {
            await HookAsync(service, ServiceHook.PostExecute, data, parent, null, cancellationToken).ConfigureAwait(false);
        }

        var result = Outcome(data, ok, ok ? service.ScheduleType : null, call.Loop, call.InnerLoop, node.ErrorIgnorable);
        if (result.Verdict == Verdict.Fail)
        {
            await HookAsync(service, ServiceHook.NodeExecuteFail, data, parent, null, cancellationToken).ConfigureAwait(false);
        }
        else if (result.Verdict is Verdict.Finish or Verdict.Ignored)
        {
            await HookAsync(service, ServiceHook.NodeFinish, data, parent, null, cancellationToken).ConfigureAwait(false);
        }

        return result with { Inputs = data.Inputs, Outputs = data.Outputs };
    }

    private static string TimedOut(Model.ServiceActivityNode node, TimeSpan timeout) =>
        $"node {node.Id}: {node.ComponentCode} did not return within {timeout.TotalSeconds:0.###} s (the node's timeout); the call was cancelled and abandoned";

    /// <summary>
    /// Runs a service call and watches it. A call still running after <see cref="EngineOptions.MovedOnCheckInterval"/>
    /// checks, each interval, that its node is still RUNNING at <paramref name="version"/>; when it is not, its token is
    /// cancelled and it is abandoned (<see cref="ServiceAbandonedException"/>). With a <paramref name="timeout"/> the
    /// call runs on its own thread-pool work item (a call that blocks its thread must not keep this one) and is
    /// abandoned once the timeout passes (<see cref="ServiceTimedOutException"/>). Whatever an abandoned call does later
    /// is ignored.
    /// </summary>
    private async Task<bool> CallWatchedAsync(Func<CancellationToken, ValueTask<bool>> call, TimeSpan? timeout, string nodeId, string version, CancellationToken cancellationToken)
    {
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<bool> running;
        if (timeout is null)
        {
            var direct = call(cancel.Token);
            if (direct.IsCompleted)
            {
                // Most calls: no watch, no thread hop.
                cancel.Dispose();
                return await direct.ConfigureAwait(false);
            }

            running = direct.AsTask();
        }
        else
        {
            running = Task.Run(() => call(cancel.Token).AsTask(), CancellationToken.None);
        }

        var deadline = timeout is { } limit ? engine.Time.GetTimestamp() + (long)(limit.TotalSeconds * engine.Time.TimestampFrequency) : long.MaxValue;
        while (true)
        {
            var left = deadline == long.MaxValue ? TimeSpan.MaxValue : engine.Time.GetElapsedTime(engine.Time.GetTimestamp(), deadline);
            var wait = left < engine.Options.MovedOnCheckInterval ? left : engine.Options.MovedOnCheckInterval;
            using (var tick = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                // No exceptions for flow: a service may throw TimeoutException itself, and then that is its failure.
                await Task.WhenAny(running, Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, engine.Time, tick.Token)).ConfigureAwait(false);
                await tick.CancelAsync().ConfigureAwait(false);
            }

            if (running.IsCompleted)
            {
                cancel.Dispose();
                return await running.ConfigureAwait(false);
            }

            if (cancellationToken.IsCancellationRequested)
            {
                // Cut off (the worker stops): the call got the same cancellation.
                await AbandonAsync(running, cancel).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (engine.Time.GetTimestamp() >= deadline)
            {
                await AbandonAsync(running, cancel).ConfigureAwait(false);
                throw new ServiceTimedOutException();
            }

            if (await MovedOnAsync(nodeId, version).ConfigureAwait(false))
            {
                await AbandonAsync(running, cancel).ConfigureAwait(false);
                throw new ServiceAbandonedException();
            }
        }
    }

    private static async Task AbandonAsync(Task<bool> running, CancellationTokenSource cancel)
    {
        await cancel.CancelAsync().ConfigureAwait(false);
        // Observed when it ends, so an abandoned call's failure is not an unobserved task exception.
        _ = running.ContinueWith(t => { _ = t.Exception; cancel.Dispose(); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    /// <summary>Whether the node is no longer RUNNING at this version (a read: a store error counts as not moved).</summary>
    private async Task<bool> MovedOnAsync(string nodeId, string version)
    {
        try
        {
            var state = await _store.ReadAsync(tx => tx.States.GetAsync(nodeId), CancellationToken.None).ConfigureAwait(false);
            return state is null || state.Version != version || state.Name != NodeState.Running;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or IOException or TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Fails a result whose data is over <see cref="EngineOptions.MaxNodeDataBytes"/>, measured here, before the store
    /// sees it: a service that left 50 MB of outputs would otherwise hold the store's writer while it is written.
    /// </summary>
    private ServiceResult WithinDataLimit(ServiceCallOutcome call, ServiceResult result) =>
        WithinDataLimit((Model.ServiceActivityNode)call.Node.Node, call.Loop, call.InnerLoop, result);

    private ServiceResult WithinDataLimit(ScheduleCallOutcome call, ServiceResult result) =>
        WithinDataLimit((Model.ServiceActivityNode)call.Node.Node, call.State.Loop, call.State.InnerLoop, result);

    private ServiceResult WithinDataLimit(Model.ServiceActivityNode node, int loop, int innerLoop, ServiceResult result)
    {
        var size = JsonSize.Of(result.Inputs, result.Outputs);
        if (size <= _options.MaxNodeDataBytes)
        {
            return result;
        }

        var outputs = new JsonObject
        {
            ["ex_data"] = $"node {node.Id}: its execution data is {size:N0} bytes, over the limit of {_options.MaxNodeDataBytes:N0} (EngineOptions.MaxNodeDataBytes)",
            ["_result"] = false,
            ["_loop"] = loop,
            ["_inner_loop"] = innerLoop,
        };
        var inputs = JsonSize.Of(result.Inputs) <= _options.MaxNodeDataBytes / 2 ? result.Inputs : [];
        return result with { Verdict = Verdict.Fail, Inputs = inputs, Outputs = outputs, ScheduleType = null, NextPoll = null };
    }

    private static ServiceResult Outcome(ExecutionData data, bool ok, ScheduleType? scheduleType, int loop, int innerLoop, bool errorIgnorable)
    {
        data.Outputs["_result"] = ok;
        data.Outputs["_loop"] = loop;
        data.Outputs["_inner_loop"] = innerLoop;
        var verdict = ok ? (scheduleType is null ? Verdict.Finish : Verdict.Schedule) : (errorIgnorable ? Verdict.Ignored : Verdict.Fail);
        return new ServiceResult(verdict, data.Inputs, data.Outputs, scheduleType);
    }

    /// <summary>A lifecycle point: the runtime hook (pipeline event) first, then the service's own hook if it wants hooks.</summary>
    private async Task HookAsync(Service service, ServiceHook hook, ExecutionData data, ExecutionData parent, JsonObject? callbackData, CancellationToken cancellationToken)
    {
        if (Observed)
        {
            var context = service.Context;
            var payload = new JsonObject { ["root_pipeline_id"] = context.RootPipelineId, ["node_id"] = context.NodeId };
            if (hook is ServiceHook.NodeExecuteException or ServiceHook.NodeScheduleException)
            {
                payload["ex_data"] = data.GetOneOfOutputs("ex_data")?.DeepClone();
            }

            Emit(new PipelineEvent(hook.Name(), context.RootPipelineId, context.NodeId, payload));
        }

        if (!service.NeedRunHook)
        {
            return;
        }

        try
        {
            await service.OnHookAsync(hook, data, parent, callbackData, cancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Hook failures are logged and swallowed (execution.md §13.2).
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogHookFailed(ex, hook.ToString(), service.Context.NodeId);
        }
    }

    /// <summary>Applies an execute that finished after its RUNNING state was committed, if the node still has that version.</summary>
    private async ValueTask<StepOutcome> ApplyExecuteResultAsync(IStoreTransaction tx, ServiceCallOutcome call, ServiceResult result, bool retry, CancellationToken cancellationToken)
    {
        var nodeId = call.Node.Node.Id;
        // Not read when the call carries it: the versioned write of the result checks it (see ServiceCallOutcome.State).
        var state = call.State ?? await tx.States.GetAsync(nodeId).ConfigureAwait(false);
        if (state is null || state.Version != call.Version || state.Name != NodeState.Running)
        {
            LogStale(nodeId, "the node changed version while its execute ran");
            await DropStaleAsync(tx, call.Task, retry).ConfigureAwait(false);
            return StepOutcome.Done;
        }

        var process = call.Process ?? await tx.Processes.GetAsync(call.Task.ProcessId).ConfigureAwait(false);
        var compiled = await CompiledAsync(tx, process.RootPipelineId).ConfigureAwait(false);
        var task = call.Task with { Version = null, Requires = null };
        var step = new NodeStep(tx, task, process, compiled, call.Node, state, state, new UserCodeResults(_components));
        var next = await ApplyExecuteAsync(step, call, result).ConfigureAwait(false);
        await step.FlushAsync().ConfigureAwait(false);
        // The same transaction moves the process on, up to the next activity's RUNNING.
        return next is HandlerResult.Next n
            ? await WalkFromAsync(tx, task, step.Process with { Asleep = false }, compiled, n.NodeId, step.UserCode, cancellationToken, stored: process).ConfigureAwait(false)
            : await SleepAsync(tx, task, step.Process).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a task whose result came too late. On a retry the first try may have committed after all, and moved the
    /// task on: it goes back to the queue rather than away, to resume at whatever checkpoint it has.
    /// </summary>
    private static ValueTask DropStaleAsync(IStoreTransaction tx, TaskRecord task, bool retry) =>
        retry ? tx.Tasks.RequeueAsync(task, TimeSpan.Zero) : tx.Tasks.CompleteAsync(task);

    /// <summary>Records an execute's data and decides what follows: the next node, or sleep (schedule phase or failure).</summary>
    private static async ValueTask<HandlerResult> ApplyExecuteAsync(NodeStep step, ServiceCallOutcome call, ServiceResult result)
    {
        var tx = step.Tx;
        var nodeId = call.Node.Node.Id;
        await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(nodeId, result.Inputs, result.Outputs)).ConfigureAwait(false);
        switch (result.Verdict)
        {
            case Verdict.Schedule:
                {
                    var schedule = await tx.Schedules.GetAsync(nodeId, call.Version).ConfigureAwait(false);
                    var scheduleId = schedule?.Id ?? await tx.Schedules.InsertAsync(new ScheduleRecord(0, (int)result.ScheduleType!, step.Process.Id, nodeId, call.Version, false, false, false, null, 0)).ConfigureAwait(false);
                    if (result.ScheduleType == ScheduleType.Poll)
                    {
                        var node = (Model.ServiceActivityNode)call.Node.Node;
                        await tx.Tasks.AddAsync(TaskRecord.Schedule(step.Process.RootPipelineId, step.Process.Id, nodeId, scheduleId, null,
                            Requirement.Component(node.ComponentCode, node.ComponentVersion))).ConfigureAwait(false);
                    }

                    return HandlerResult.SleepResult;
                }

            case Verdict.Fail:
                await ExtractOutputsAsync(tx, call.Node, result.Outputs, call.TopPipelineId).ConfigureAwait(false);
                await step.FailAsync(null).ConfigureAwait(false);
                return HandlerResult.SleepResult;
            default:
                step.Finish(errorIgnored: result.Verdict == Verdict.Ignored);
                await ExtractOutputsAsync(tx, call.Node, result.Outputs, call.TopPipelineId).ConfigureAwait(false);
                return new HandlerResult.Next(call.Node.Single);
        }
    }
}
