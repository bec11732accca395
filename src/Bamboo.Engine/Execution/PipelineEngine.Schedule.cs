using System.Text.Json.Nodes;
using Bamboo.Engine.Components;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

public sealed partial class PipelineEngine
{
    /// <summary>Schedule routine, first half (execution.md §7.3 steps 1–5): checks, then the lock.</summary>
    private StepOutcome PrepareSchedule(IStepTransaction tx, TaskRecord task)
    {
        var schedule = task.ScheduleId is long id ? tx.GetSchedule(id) : null;
        if (schedule is null || schedule.Finished)
        {
            tx.CompleteTask(task);
            return StepOutcome.Done;
        }

        var state = tx.GetState(schedule.NodeId);
        if (state is null || state.Version != schedule.Version || state.Name != NodeState.Running)
        {
            tx.UpdateSchedule(schedule with { Expired = true });
            tx.CompleteTask(task);
            return StepOutcome.Done;
        }

        if (schedule.Scheduling && schedule.LockOwner != task.Id)
        {
            if (schedule.Type == (int)ScheduleType.MultipleCallback)
            {
                tx.RequeueTask(task, tx.Now + (long)runtime.Options.ScheduleLockRetry.TotalMilliseconds);
            }
            else
            {
                tx.CompleteTask(task);
            }

            return StepOutcome.Done;
        }

        schedule = schedule with { Scheduling = true, LockOwner = task.Id };
        tx.UpdateSchedule(schedule);
        var process = tx.GetProcess(schedule.ProcessId);
        tx.UpdateProcess(process with { LastHeartbeat = tx.Now });
        var compiled = Compiled(tx, process.RootPipelineId);
        var data = tx.GetExecutionData(schedule.NodeId);
        var callback = task.CallbackDataId is long cb ? tx.GetCallbackData(cb)?.Data : null;
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
            service = runtime.Components.CreateService(node.ComponentCode, node.ComponentVersion);
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
        try
        {
            ok = await service.ScheduleAsync(data, parent, call.CallbackData, cancellationToken).ConfigureAwait(false);
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
    private StepOutcome ApplyScheduleResult(IStepTransaction tx, ScheduleCallOutcome call, ServiceResult result)
    {
        var schedule = tx.GetSchedule(call.Schedule.Id)!;
        schedule = schedule with { Times = schedule.Times + 1, Scheduling = false, LockOwner = null };
        var nodeId = schedule.NodeId;
        var state = tx.GetState(nodeId);
        if (state is null || state.Version != schedule.Version || state.Name != NodeState.Running)
        {
            // Forced fail or another change won meanwhile: the late result is discarded.
            tx.UpdateSchedule(schedule with { Expired = true });
            tx.CompleteTask(call.Task);
            LogStale(nodeId, "the node changed version while its schedule ran");
            return StepOutcome.Done;
        }

        tx.SetExecutionData(new ExecutionDataRecord(nodeId, result.Inputs, result.Outputs));
        var process = tx.GetProcess(schedule.ProcessId);
        switch (result.Verdict)
        {
            case Verdict.KeepWaiting:
                tx.UpdateSchedule(schedule);
                if (result.NextPoll is TimeSpan delay)
                {
                    var poll = call.Task with { CallbackDataId = null };
                    tx.UpdateTask(poll);
                    tx.RequeueTask(poll, tx.Now + (long)delay.TotalMilliseconds);
                }
                else
                {
                    tx.CompleteTask(call.Task);
                }

                return StepOutcome.Done;
            case Verdict.Fail:
                tx.UpdateSchedule(schedule);
                ExtractOutputs(tx, call.Node, result.Outputs, call.TopPipelineId);
                StateWriter.Set(tx, nodeId, new StateWriter.Change(NodeState.Failed) { ExpectedVersion = state.Version, SetArchiveTime = true }, state);
                tx.CompleteTask(call.Task);
                return StepOutcome.Done;
            default:
                tx.UpdateSchedule(schedule with { Finished = result.Verdict == Verdict.Finish });
                StateWriter.Set(tx, nodeId, new StateWriter.Change(NodeState.Finished)
                {
                    ExpectedVersion = state.Version,
                    SetArchiveTime = true,
                    ErrorIgnored = result.Verdict == Verdict.Ignored,
                }, state);
                ExtractOutputs(tx, call.Node, result.Outputs, call.TopPipelineId);
                tx.CompleteTask(call.Task);
                tx.Enqueue(NewExecuteTask(tx, process.Id, call.Node.Single));
                return StepOutcome.Done;
        }
    }
}
