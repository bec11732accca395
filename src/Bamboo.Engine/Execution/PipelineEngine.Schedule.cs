using System.Text.Json.Nodes;
using Bamboo.Engine.Components;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

public sealed partial class PipelineEngine
{
    /// <summary>Schedule routine, first half (execution.md §7.3 steps 1–5): checks, then the lock.</summary>
    private async ValueTask<StepOutcome> PrepareScheduleAsync(IStoreTransaction tx, TaskRecord task)
    {
        var schedule = task.ScheduleId is long id ? await tx.Schedules.GetAsync(id).ConfigureAwait(false) : null;
        if (schedule is null || schedule.Finished)
        {
            await tx.Tasks.CompleteAsync(task).ConfigureAwait(false);
            return StepOutcome.Done;
        }

        var state = await tx.States.GetAsync(schedule.NodeId).ConfigureAwait(false);
        if (state is null || state.Version != schedule.Version || state.Name != NodeState.Running)
        {
            await tx.Schedules.UpdateAsync(schedule with { Expired = true }).ConfigureAwait(false);
            await tx.Tasks.CompleteAsync(task).ConfigureAwait(false);
            return StepOutcome.Done;
        }

        if (schedule.Scheduling && schedule.LockOwner != task.Id)
        {
            if (schedule.Type == (int)ScheduleType.MultipleCallback)
            {
                // Not a failure: the attempt count, which gives a task up after five, starts again.
                await tx.Tasks.RequeueAsync(task with { Attempts = 0 }, _options.ScheduleLockRetry).ConfigureAwait(false);
            }
            else
            {
                await tx.Tasks.CompleteAsync(task).ConfigureAwait(false);
            }

            return StepOutcome.Done;
        }

        schedule = schedule with { Scheduling = true, LockOwner = task.Id };
        await tx.Schedules.UpdateAsync(schedule).ConfigureAwait(false);
        var process = await tx.Processes.GetAsync(schedule.ProcessId).ConfigureAwait(false);
        await tx.Processes.UpdateAsync(process with { LastHeartbeat = tx.Now }).ConfigureAwait(false);
        var compiled = await CompiledAsync(tx, process.RootPipelineId).ConfigureAwait(false);
        var data = await tx.Data.GetExecutionDataAsync(schedule.NodeId).ConfigureAwait(false);
        var callback = task.CallbackDataId is long cb ? (await tx.Schedules.GetCallbackDataAsync(cb).ConfigureAwait(false))?.Data : null;
        return new ScheduleCallOutcome(task, compiled.Node(schedule.NodeId), schedule, state, process.RootPipelineId,
            process.PipelineStack[^1], data?.Inputs ?? [], data?.Outputs ?? [], compiled.RootDataCopy(), callback);
    }

    private async Task<ServiceResult> CallScheduleAsync(ScheduleCallOutcome call, CancellationToken cancellationToken)
    {
        var node = (Model.ServiceActivityNode)call.Node.Node;
        var data = new ExecutionData((JsonObject)call.Inputs.DeepClone(), (JsonObject)call.Outputs.DeepClone());
        var parent = new ExecutionData((JsonObject)call.RootData.DeepClone(), []);
        var type = (ScheduleType)call.Schedule.Type;
        Service service;
        try
        {
            service = _components.CreateService(node.ComponentCode, node.ComponentVersion);
        }
        catch (NotFoundError ex)
        {
            data.Outputs["ex_data"] = ex.Message;
            return Outcome(data, false, null, call.State.Loop, call.State.InnerLoop, node.ErrorIgnorable);
        }

        service.Context = ContextFor(node.Id, call.Schedule.Version, call.TopPipelineId, call.RootId, call.State.Loop, call.State.InnerLoop);
        var times = call.Schedule.Times + 1;
        await HookAsync(service, ServiceHook.PreSchedule, data, parent, call.CallbackData, cancellationToken).ConfigureAwait(false);
        bool ok;
        var timeout = node.Timeout ?? service.Timeout;
        try
        {
            ok = await CallWatchedAsync(token => service.ScheduleAsync(data, parent, call.CallbackData, token), timeout, node.Id, call.Schedule.Version, cancellationToken).ConfigureAwait(false);
        }
        catch (ServiceAbandonedException ex)
        {
            // Refused when applied (the node moved on): no hooks, no outputs of the abandoned call.
            return Outcome(new ExecutionData([], new JsonObject { ["ex_data"] = ex.Message }), false, null, call.State.Loop, call.State.InnerLoop, node.ErrorIgnorable);
        }
        catch (ServiceTimedOutException)
        {
            // The abandoned call may still change the objects it was given: go on with fresh ones.
            data = new ExecutionData((JsonObject)call.Inputs.DeepClone(), (JsonObject)call.Outputs.DeepClone());
            data.Outputs["ex_data"] = TimedOut(node, timeout!.Value);
            ok = false;
        }
#pragma warning disable CA1031 // Plugin exceptions become the node's failure data, never escape the worker.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            data.Outputs["ex_data"] = ex.ToString();
            await HookAsync(service, ServiceHook.NodeScheduleException, data, parent, call.CallbackData, cancellationToken).ConfigureAwait(false);
            ok = false;
        }

        if (ok)
        {
            await HookAsync(service, ServiceHook.PostSchedule, data, parent, call.CallbackData, cancellationToken).ConfigureAwait(false);
        }

        var result = Outcome(data, ok, type, call.State.Loop, call.State.InnerLoop, node.ErrorIgnorable);
        if (ok)
        {
            var done = type == ScheduleType.Callback || service.IsScheduleFinished;
            result = done
                ? result with { Verdict = Verdict.Finish }
                : result with { Verdict = Verdict.KeepWaiting, NextPoll = type == ScheduleType.Poll ? service.Interval!.After(times) : null };
        }

        if (result.Verdict == Verdict.Fail)
        {
            await HookAsync(service, ServiceHook.NodeScheduleFail, data, parent, call.CallbackData, cancellationToken).ConfigureAwait(false);
        }
        else if (result.Verdict is Verdict.Finish or Verdict.Ignored && call.CallbackData is null)
        {
            // Parity: bamboo loses node_finish when the completing schedule carried callback data.
            await HookAsync(service, ServiceHook.NodeFinish, data, parent, null, cancellationToken).ConfigureAwait(false);
        }

        return result with { Inputs = data.Inputs, Outputs = data.Outputs };
    }

    /// <summary>Schedule routine, second half: persist the call, release the lock, finish or wait.</summary>
    private async ValueTask<StepOutcome> ApplyScheduleResultAsync(IStoreTransaction tx, ScheduleCallOutcome call, ServiceResult result, bool retry)
    {
        var schedule = (await tx.Schedules.GetAsync(call.Schedule.Id).ConfigureAwait(false))!;
        if (retry && (schedule.Finished || schedule.LockOwner != call.Task.Id))
        {
            // The first try committed although it reported an error: the task resumes where it left it.
            await DropStaleAsync(tx, call.Task, retry).ConfigureAwait(false);
            return StepOutcome.Done;
        }

        schedule = schedule with { Times = schedule.Times + 1, Scheduling = false, LockOwner = null };
        var nodeId = schedule.NodeId;
        var state = await tx.States.GetAsync(nodeId).ConfigureAwait(false);
        if (state is null || state.Version != schedule.Version || state.Name != NodeState.Running)
        {
            // Forced fail or another change won meanwhile: the late result is discarded.
            await tx.Schedules.UpdateAsync(schedule with { Expired = true }).ConfigureAwait(false);
            await tx.Tasks.CompleteAsync(call.Task).ConfigureAwait(false);
            LogStale(nodeId, "the node changed version while its schedule ran");
            return StepOutcome.Done;
        }

        await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(nodeId, result.Inputs, result.Outputs)).ConfigureAwait(false);
        var process = await tx.Processes.GetAsync(schedule.ProcessId).ConfigureAwait(false);
        switch (result.Verdict)
        {
            case Verdict.KeepWaiting:
                await tx.Schedules.UpdateAsync(schedule).ConfigureAwait(false);
                if (result.NextPoll is TimeSpan delay)
                {
                    var poll = call.Task with { CallbackDataId = null };
                    await tx.Tasks.CheckpointAsync(poll).ConfigureAwait(false);
                    // A poll that committed is progress: only failures in a row count towards giving the task up.
                    await tx.Tasks.RequeueAsync(poll with { Attempts = 0 }, delay).ConfigureAwait(false);
                }
                else
                {
                    await tx.Tasks.CompleteAsync(call.Task).ConfigureAwait(false);
                }

                return StepOutcome.Done;
            case Verdict.Fail:
                await tx.Schedules.UpdateAsync(schedule).ConfigureAwait(false);
                await ExtractOutputsAsync(tx, call.Node, result.Outputs, call.TopPipelineId).ConfigureAwait(false);
                await StateWriter.SetAsync(tx, nodeId, new StateWriter.Change(NodeState.Failed) { ExpectedVersion = state.Version, SetArchiveTime = true }, state).ConfigureAwait(false);
                await tx.Tasks.CompleteAsync(call.Task).ConfigureAwait(false);
                return StepOutcome.Done;
            default:
                await tx.Schedules.UpdateAsync(schedule with { Finished = result.Verdict == Verdict.Finish }).ConfigureAwait(false);
                await StateWriter.SetAsync(tx, nodeId, new StateWriter.Change(NodeState.Finished)
                {
                    ExpectedVersion = state.Version,
                    SetArchiveTime = true,
                    ErrorIgnored = result.Verdict == Verdict.Ignored,
                }, state).ConfigureAwait(false);
                await ExtractOutputsAsync(tx, call.Node, result.Outputs, call.TopPipelineId).ConfigureAwait(false);
                await tx.Tasks.CompleteAsync(call.Task).ConfigureAwait(false);
                await tx.Tasks.AddAsync(TaskRecord.Execute(process.RootPipelineId, process.Id, call.Node.Single)).ConfigureAwait(false);
                return StepOutcome.Done;
        }
    }
}
