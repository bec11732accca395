using System.Data.Common;
using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Bamboo.Engine.Execution;

public sealed partial class PipelineEngine
{
    /// <summary>
    /// Ends a task whose step failed its last attempt (the engine, not a service, threw). Its node turns FAILED with the
    /// error as <c>ex_data</c> and its process sleeps there, as after any node failure: the run shows where it stopped
    /// and why, and an operator can retry or skip the node. A node already archived, a suspended one, one RUNNING at
    /// another version than the task's and a dead process are left as they are; the task is dropped in any case.
    /// Returns whether the node was failed.
    /// </summary>
    public async Task<bool> GiveUpAsync(TaskRecord task, Exception error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(error);
        var exData = $"the engine gave up on the walk from this node after {task.Attempts} failed attempts: {error.GetType().Name}: {error.Message}";
        var failed = await _store.WriteAsync(async tx =>
        {
            // The task as stored: within its claim it may have moved on to later nodes before the step that threw.
            var stored = (await tx.Tasks.GetForRootAsync(task.RootId).ConfigureAwait(false)).FirstOrDefault(t => t.Id == task.Id) ?? task;
            await tx.Tasks.CompleteAsync(task).ConfigureAwait(false);
            try
            {
                return await tx.IsolatedAsync(() => FailTaskNodeAsync(tx, stored, exData)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (DbException or OperationCanceledException or LeaseLostException))
            {
                // What broke the step may break this too (its process row is gone, say): the task goes all the same.
                LogGiveUpFailed(ex, task.NodeId);
                return false;
            }
        }, cancellationToken).ConfigureAwait(false);
        if (failed)
        {
            Emit(new PipelineEvent("node_execute_fail", task.RootId, task.NodeId,
                new JsonObject { ["root_pipeline_id"] = task.RootId, ["node_id"] = task.NodeId, ["ex_data"] = exData }));
        }

        OnTaskEnded(task);
        return failed;
    }

    /// <summary>Records why a node failed in its outputs' <c>ex_data</c>, keeping what else they and its inputs hold.</summary>
    internal static async ValueTask SetExDataAsync(IStoreTransaction tx, string nodeId, string exData)
    {
        var data = await tx.Data.GetExecutionDataAsync(nodeId).ConfigureAwait(false);
        var outputs = data?.Outputs ?? [];
        outputs["ex_data"] = exData;
        await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(nodeId, data?.Inputs ?? [], outputs)).ConfigureAwait(false);
    }

    private static async ValueTask<bool> FailTaskNodeAsync(IStoreTransaction tx, TaskRecord task, string exData)
    {
        var process = await tx.Processes.GetAsync(task.ProcessId).ConfigureAwait(false);
        if (process.Dead)
        {
            return false;
        }

        var state = await tx.States.GetAsync(task.NodeId).ConfigureAwait(false);
        StateRecord next;
        if (state is null)
        {
            // The step that enters the node never committed: the node gets its first state, failed.
            var parentId = process.PipelineStack.Count > 0 ? process.PipelineStack[^1] : task.RootId;
            next = StateWriter.Next(task.NodeId, null, new StateWriter.Change(NodeState.Failed)
            {
                RootId = task.RootId, ParentId = parentId, SetStartedTime = true, SetArchiveTime = true,
            }, tx.Now);
        }
        else if (state.Name is NodeState.Ready or NodeState.LoopReady
                 || (state.Name == NodeState.Running && (task.Kind == TaskKind.Schedule || task.Version == state.Version)))
        {
            // RUNNING counts only at the task's own recover point (or in its schedule phase): a node RUNNING at another
            // version belongs to another call, whose result must not be refused.
            // A fresh version: a result still on its way from an earlier attempt is refused.
            var running = state.Name == NodeState.Running
                ? state
                : StateWriter.Next(task.NodeId, state, new StateWriter.Change(NodeState.Running) { SetStartedTime = true }, tx.Now);
            next = StateWriter.Next(task.NodeId, running, new StateWriter.Change(NodeState.Failed) { RefreshVersion = true, SetArchiveTime = true }, tx.Now);
        }
        else
        {
            return false;
        }

        await StateWriter.WriteAsync(tx, next, state).ConfigureAwait(false);
        await SetExDataAsync(tx, task.NodeId, exData).ConfigureAwait(false);
        await tx.Processes.UpdateAsync(process with { CurrentNodeId = task.NodeId, Asleep = true }).ConfigureAwait(false);
        return true;
    }

    [LoggerMessage(EventId = 1006, Level = LogLevel.Error, Message = "Could not mark node {NodeId} failed after its task's last attempt; the task is dropped")]
    private partial void LogGiveUpFailed(Exception exception, string nodeId);
}
