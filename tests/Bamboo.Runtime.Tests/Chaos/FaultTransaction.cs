using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Chaos;

/// <summary>A transaction of a <see cref="FaultStore"/>: every store call goes through <see cref="FaultStore.OpAsync{T}"/>.</summary>
internal sealed class FaultTransaction : IStoreTransaction
{
    private readonly IStoreTransaction _inner;

    public FaultTransaction(FaultStore store, IStoreTransaction inner, TransactionLog? log)
    {
        _inner = inner;
        Runs = new RunOps(store, inner.Runs, log);
        States = new StateOps(store, inner.States, log);
        Processes = new ProcessOps(store, inner.Processes, log);
        Data = new DataOps(store, inner.Data, log);
        Schedules = new ScheduleOps(store, inner.Schedules, log);
        Tasks = new TaskOps(store, inner.Tasks, log);
    }

    public long Now => _inner.Now;

    public IRunStore Runs { get; }

    public IStateStore States { get; }

    public IProcessStore Processes { get; }

    public IDataStore Data { get; }

    public IScheduleStore Schedules { get; }

    public ITaskStore Tasks { get; }

    public ValueTask<T> IsolatedAsync<T>(Func<ValueTask<T>> work) => _inner.IsolatedAsync(work);

    private sealed class RunOps(FaultStore s, IRunStore i, TransactionLog? log) : IRunStore
    {
        public ValueTask<RunRecord?> GetAsync(string rootId) => s.OpAsync(log, "runs.get", rootId, () => i.GetAsync(rootId));

        public ValueTask InsertAsync(RunRecord run, IReadOnlyCollection<string> nodeIds) => s.OpAsync(log, "runs.insert", run.RootId, () => i.InsertAsync(run, nodeIds));

        public ValueTask<string?> FindTakenAsync(string rootId, IReadOnlyCollection<string> nodeIds) =>
            s.OpAsync(log, "runs.find_taken", rootId, () => i.FindTakenAsync(rootId, nodeIds));

        public ValueTask<string?> GetNodeRootAsync(string nodeId) => s.OpAsync(log, "runs.get_node_root", nodeId, () => i.GetNodeRootAsync(nodeId));

        public ValueTask<IReadOnlyList<RunSummary>> ListAsync(RunQuery query) => s.OpAsync(log, "runs.list", null, () => i.ListAsync(query));
    }

    private sealed class StateOps(FaultStore s, IStateStore i, TransactionLog? log) : IStateStore
    {
        public ValueTask<StateRecord?> GetAsync(string nodeId) => s.OpAsync(log, "states.get", nodeId, () => i.GetAsync(nodeId));

        public ValueTask<IReadOnlyList<StateRecord>> GetManyAsync(IReadOnlyList<string> nodeIds) => s.OpAsync(log, "states.get_many", null, () => i.GetManyAsync(nodeIds));

        public ValueTask<(StateRecord? Node, IReadOnlyList<StateRecord> Stopping)> GetStepStatesAsync(string nodeId, IReadOnlyList<string> stack, IReadOnlyList<string> stopping) =>
            s.OpAsync(log, "states.get_step", nodeId, () => i.GetStepStatesAsync(nodeId, stack, stopping));

        public ValueTask InsertAsync(StateRecord state) => s.OpAsync(log, "states.insert", state.NodeId, () => i.InsertAsync(state));

        public ValueTask<bool> UpdateAsync(StateRecord state, string expectedVersion) => s.OpAsync(log, "states.update", state.NodeId, () => i.UpdateAsync(state, expectedVersion));

        // Forwarded as such: a store may check this write's version later, with its next statements.
        public ValueTask UpdateOrThrowAsync(StateRecord state, string expectedVersion) => s.OpAsync(log, "states.update", state.NodeId, () => i.UpdateOrThrowAsync(state, expectedVersion));

        public ValueTask ResetInnerLoopAsync(IReadOnlyCollection<string> nodeIds) => s.OpAsync(log, "states.reset_inner_loop", null, () => i.ResetInnerLoopAsync(nodeIds));
    }

    private sealed class ProcessOps(FaultStore s, IProcessStore i, TransactionLog? log) : IProcessStore
    {
        public ValueTask<ProcessRecord> GetAsync(long id) => s.OpAsync(log, "processes.get", null, () => i.GetAsync(id), p => p.CurrentNodeId);

        public ValueTask<long> InsertAsync(ProcessRecord process) => s.OpAsync(log, "processes.insert", process.CurrentNodeId, () => i.InsertAsync(process));

        public ValueTask<IReadOnlyList<long>> InsertAllAsync(IReadOnlyList<ProcessRecord> processes) =>
            s.OpAsync(log, "processes.insert_all", processes.Count > 0 ? processes[0].CurrentNodeId : null, () => i.InsertAllAsync(processes));

        public ValueTask UpdateAsync(ProcessRecord process) => s.OpAsync(log, "processes.update", process.CurrentNodeId, () => i.UpdateAsync(process));

        public ValueTask<bool> AcknowledgeChildAsync(long parentId) => s.OpAsync(log, "processes.ack_child", null, () => i.AcknowledgeChildAsync(parentId));

        public ValueTask<IReadOnlyList<ProcessRecord>> GetAtAsync(string nodeId, bool? asleep, bool? dead) => s.OpAsync(log, "processes.get_at", nodeId, () => i.GetAtAsync(nodeId, asleep, dead));

        public ValueTask<IReadOnlyList<ProcessRecord>> GetSuspendedByAsync(string id) => s.OpAsync(log, "processes.get_suspended_by", id, () => i.GetSuspendedByAsync(id));

        public ValueTask<IReadOnlyList<ProcessRecord>> GetChildrenAsync(long parentId) => s.OpAsync(log, "processes.get_children", null, () => i.GetChildrenAsync(parentId));
    }

    private sealed class DataOps(FaultStore s, IDataStore i, TransactionLog? log) : IDataStore
    {
        public ValueTask<JsonObject?> GetRawInputsOverrideAsync(string nodeId) => s.OpAsync(log, "data.get_inputs_override", nodeId, () => i.GetRawInputsOverrideAsync(nodeId));

        public ValueTask SetRawInputsOverrideAsync(string nodeId, JsonObject inputs) => s.OpAsync(log, "data.set_inputs_override", nodeId, () => i.SetRawInputsOverrideAsync(nodeId, inputs));

        public ValueTask<ExecutionDataRecord?> GetExecutionDataAsync(string nodeId) => s.OpAsync(log, "data.get_execution_data", nodeId, () => i.GetExecutionDataAsync(nodeId));

        public ValueTask SetExecutionDataAsync(ExecutionDataRecord data) => s.OpAsync(log, "data.set_execution_data", data.NodeId, () => i.SetExecutionDataAsync(data));

        public ValueTask<IReadOnlyList<ContextValue>> GetContextValuesAsync(string pipelineId, IEnumerable<string>? keys = null) =>
            s.OpAsync(log, "data.get_context_values", pipelineId, () => i.GetContextValuesAsync(pipelineId, keys));

        public ValueTask UpsertContextValueAsync(string pipelineId, ContextValue value) => s.OpAsync(log, "data.upsert_context_value", pipelineId, () => i.UpsertContextValueAsync(pipelineId, value));
    }

    private sealed class ScheduleOps(FaultStore s, IScheduleStore i, TransactionLog? log) : IScheduleStore
    {
        public ValueTask<ScheduleRecord?> GetAsync(long id) => s.OpAsync(log, "schedules.get", null, () => i.GetAsync(id), r => r?.NodeId);

        public ValueTask<ScheduleRecord?> GetAsync(string nodeId, string version) => s.OpAsync(log, "schedules.get", nodeId, () => i.GetAsync(nodeId, version));

        public ValueTask<ScheduleRecord?> GetLatestAsync(string nodeId) => s.OpAsync(log, "schedules.get_latest", nodeId, () => i.GetLatestAsync(nodeId));

        public ValueTask<long> InsertAsync(ScheduleRecord schedule) => s.OpAsync(log, "schedules.insert", schedule.NodeId, () => i.InsertAsync(schedule));

        public ValueTask UpdateAsync(ScheduleRecord schedule) => s.OpAsync(log, "schedules.update", schedule.NodeId, () => i.UpdateAsync(schedule));

        public ValueTask<long> InsertCallbackDataAsync(string nodeId, string version, JsonObject data) => s.OpAsync(log, "schedules.insert_callback_data", nodeId, () => i.InsertCallbackDataAsync(nodeId, version, data));

        public ValueTask<CallbackDataRecord?> GetCallbackDataAsync(long id) => s.OpAsync(log, "schedules.get_callback_data", null, () => i.GetCallbackDataAsync(id), r => r?.NodeId);

        public ValueTask AddHistoryAsync(HistoryRecord history) => s.OpAsync(log, "schedules.add_history", history.NodeId, () => i.AddHistoryAsync(history));

        public ValueTask<IReadOnlyList<HistoryRecord>> GetHistoriesAsync(string nodeId, int loop = -1) => s.OpAsync(log, "schedules.get_histories", nodeId, () => i.GetHistoriesAsync(nodeId, loop));
    }

    private sealed class TaskOps(FaultStore s, ITaskStore i, TransactionLog? log) : ITaskStore
    {
        public long Clock => i.Clock;

        public ValueTask<long> EnqueueAsync(TaskRecord task, TimeSpan delay = default) => s.OpAsync(log, "tasks.enqueue", task.NodeId, () => i.EnqueueAsync(task, delay));

        public ValueTask AddAsync(TaskRecord task, TimeSpan delay = default) => s.OpAsync(log, "tasks.enqueue", task.NodeId, () => i.AddAsync(task, delay));

        public ValueTask CheckpointAsync(TaskRecord task) => s.OpAsync(log, "tasks.checkpoint", task.NodeId, () => i.CheckpointAsync(task));

        public ValueTask RequeueAsync(TaskRecord task, TimeSpan delay) => s.OpAsync(log, "tasks.requeue", task.NodeId, () => i.RequeueAsync(task, delay));

        public ValueTask CompleteAsync(TaskRecord task) => s.OpAsync(log, "tasks.complete", task.NodeId, () => i.CompleteAsync(task));

        public ValueTask<TaskRecord?> ClaimAsync(string owner, WorkFilter filter) => s.OpAsync(log, "tasks.claim", null, () => i.ClaimAsync(owner, filter), t => t?.NodeId);

        public ValueTask<IReadOnlyList<TaskRecord>> GetForRootAsync(string rootId) => s.OpAsync(log, "tasks.get_for_root", rootId, () => i.GetForRootAsync(rootId));
    }
}
