using System.Text.Json.Nodes;

namespace Bamboo.Engine.Runtime;

/// <summary>
/// Everything one engine step reads and writes, inside one storage transaction: the step's state change, data,
/// context writes and next tasks commit together or not at all. Calls are synchronous because the transaction is
/// already open and local; the transaction itself is entered asynchronously.
/// </summary>
public interface IStepTransaction
{
    long Now { get; }

    /// <summary>Runs <paramref name="work"/> so that, when it throws, only its own writes are undone; the exception propagates.</summary>
    T Isolated<T>(Func<T> work);

    // runs and node lookup
    RunRecord? GetRun(string rootId);

    /// <summary>
    /// Stores a run and indexes its node ids; returns an id that some other run already uses (the run's own root id
    /// first, when it is taken), inserting nothing, or null.
    /// </summary>
    string? InsertRun(RunRecord run, IReadOnlyCollection<string> nodeIds);

    string? GetNodeRoot(string nodeId);

    // states
    StateRecord? GetState(string nodeId);

    /// <summary>The stored states among <paramref name="nodeIds"/>, in any order; ids without a state are left out.</summary>
    IReadOnlyList<StateRecord> GetStates(IReadOnlyList<string> nodeIds);

    /// <summary>
    /// The read a step starts with, in one statement: the node's state (null when it has none) and the states of the
    /// pipelines in <paramref name="stack"/> that stop a walk (REVOKED or SUSPENDED); running pipelines are left out.
    /// </summary>
    (StateRecord? Node, IReadOnlyList<StateRecord> Stopping) GetStepStates(string nodeId, IReadOnlyList<string> stack);

    void InsertState(StateRecord state);

    /// <summary>Writes the record only if the stored version equals <paramref name="expectedVersion"/>.</summary>
    bool UpdateState(StateRecord state, string expectedVersion);

    /// <summary>Sets inner_loop to 0 on the states of these nodes (the direct children of a subprocess being entered).</summary>
    void ResetInnerLoop(IReadOnlyCollection<string> nodeIds);

    // processes
    ProcessRecord GetProcess(long id);

    long InsertProcess(ProcessRecord process);

    /// <summary>
    /// Counts a child process reaching its converge gateway. True when it was the last one the parent waited for;
    /// the parent's count is then reset (ack_num 0, need_ack -1).
    /// </summary>
    bool AcknowledgeChild(long parentId);

    void UpdateProcess(ProcessRecord process);

    /// <summary>The processes whose current node is <paramref name="nodeId"/>, optionally filtered by asleep and dead.</summary>
    IReadOnlyList<ProcessRecord> GetProcessesAt(string nodeId, bool? asleep, bool? dead);

    IReadOnlyList<ProcessRecord> GetProcessesSuspendedBy(string id);

    IReadOnlyList<ProcessRecord> GetChildren(long parentId);

    // data
    JsonObject? GetRawInputsOverride(string nodeId);

    void SetRawInputsOverride(string nodeId, JsonObject inputs);

    ExecutionDataRecord? GetExecutionData(string nodeId);

    void SetExecutionData(ExecutionDataRecord data);

    // context
    IReadOnlyList<ContextValue> GetContextValues(string pipelineId, IEnumerable<string>? keys = null);

    void UpsertContextValue(string pipelineId, ContextValue value);

    // schedules and callbacks
    ScheduleRecord? GetSchedule(long id);

    ScheduleRecord? GetSchedule(string nodeId, string version);

    ScheduleRecord? GetLatestSchedule(string nodeId);

    long InsertSchedule(ScheduleRecord schedule);

    void UpdateSchedule(ScheduleRecord schedule);

    long InsertCallbackData(string nodeId, string version, JsonObject data);

    CallbackDataRecord? GetCallbackData(long id);

    // histories
    void AddHistory(HistoryRecord history);

    IReadOnlyList<HistoryRecord> GetHistories(string nodeId, int loop = -1);

    // queue
    long Enqueue(TaskRecord task);

    // The calls below act on a task this worker claimed; each throws LeaseLostException when the task is no longer
    // leased to task.LeaseOwner, so a worker that lost its lease can never overwrite another worker's progress.

    /// <summary>Moves the task's checkpoint: node, schedule, callback data and recover-point version.</summary>
    void UpdateTask(TaskRecord task);

    /// <summary>Gives the task back to the queue, due at <paramref name="dueAt"/>, with its attempt count.</summary>
    void RequeueTask(TaskRecord task, long dueAt);

    void CompleteTask(TaskRecord task);

    /// <summary>Takes the next due task under a lease for <paramref name="owner"/>, or null when none is due.</summary>
    TaskRecord? ClaimTask(string owner, long leaseMilliseconds);
}
