using System.Text.Json.Nodes;

namespace Bamboo.Engine.Runtime;

/// <summary>A started run: the tree as the caller gave it and the options it was validated with, stored once.</summary>
public sealed record RunRecord(string RootId, string TreeJson, bool CycleTolerate, JsonObject RootPipelineData, long CreatedAt)
{
    /// <summary>The root pipeline's name (its tree's <c>name</c>), for lists and searches.</summary>
    public string Name { get; init; } = "";
}

/// <summary>A run as a list shows it: ids, name, when it started and ended, and the state of its root pipeline.</summary>
public sealed record RunSummary(string RootId, string Name, string State, long CreatedAt, long? ArchivedAt);

/// <summary>
/// Which runs a list wants, newest first: a state, a time range of starts, a text in the id or name, and the keyset of
/// the last run of the previous page (<see cref="AfterCreatedAt"/>, <see cref="AfterRootId"/>).
/// </summary>
public sealed record RunQuery
{
    public string? State { get; init; }

    public long? CreatedFrom { get; init; }

    public long? CreatedBefore { get; init; }

    public string? Text { get; init; }

    public long? AfterCreatedAt { get; init; }

    public string? AfterRootId { get; init; }

    public int Limit { get; init; } = 50;
}

/// <summary>The per-node state record of states.md §2 (times are UTC unix milliseconds).</summary>
public sealed record StateRecord(
    string NodeId, string RootId, string ParentId, string Name, string Version,
    int Loop, int InnerLoop, int Retry, bool Skip, bool ErrorIgnored,
    long CreatedTime, long? StartedTime, long? ArchivedTime);

/// <summary>A process (token) walking nodes (execution.md §1).</summary>
public sealed record ProcessRecord(
    long Id, string RootPipelineId, long ParentId, string DestinationId, string CurrentNodeId,
    IReadOnlyList<string> PipelineStack, bool Asleep, bool Suspended, string SuspendedBy, bool Dead,
    int NeedAck, int AckNum, long LastHeartbeat, int Priority, string Queue);

/// <summary>The schedule phase of one activity version.</summary>
public sealed record ScheduleRecord(
    long Id, int Type, long ProcessId, string NodeId, string Version,
    bool Finished, bool Expired, bool Scheduling, long? LockOwner, int Times);

/// <summary>Rendered inputs and produced outputs of a node.</summary>
public sealed record ExecutionDataRecord(string NodeId, JsonObject Inputs, JsonObject Outputs);

/// <summary>A snapshot of a previous attempt of a node.</summary>
public sealed record HistoryRecord(
    long Id, string NodeId, int Loop, int Retry, bool Skip, string Version,
    long? StartedTime, long? ArchivedTime, JsonObject Inputs, JsonObject Outputs);

/// <summary>Stored payload of a callback call.</summary>
public sealed record CallbackDataRecord(long Id, string NodeId, string Version, JsonObject Data);

/// <summary>Kinds of durable work.</summary>
public enum TaskKind
{
    /// <summary>Run the execute loop of a process from a node.</summary>
    Execute = 1,

    /// <summary>Run one schedule call of an activity.</summary>
    Schedule = 2,
}

/// <summary>
/// One unit of durable work in the queue. For execute tasks, a non-null <see cref="Version"/> is a recover point:
/// the node is RUNNING at that version and its service execute has not been applied yet. <see cref="Requires"/> names
/// the user code the task runs next (see <see cref="Requirement"/>); null when it needs none. <see cref="DueAt"/> is
/// on the store's clock.
/// </summary>
public sealed record TaskRecord(
    long Id, TaskKind Kind, string RootId, long ProcessId, string NodeId, long? ScheduleId, long? CallbackDataId,
    string? Version, string? Requires, long DueAt, string? LeaseOwner, int Attempts)
{
    /// <summary>A new task that runs the execute loop of a process from a node.</summary>
    public static TaskRecord Execute(string rootId, long processId, string nodeId) =>
        new(0, TaskKind.Execute, rootId, processId, nodeId, null, null, null, null, 0, null, 0);

    /// <summary>A new task that runs one schedule call of an activity, with callback data or not.</summary>
    public static TaskRecord Schedule(string rootId, long processId, string nodeId, long scheduleId, long? callbackDataId, string? requires) =>
        new(0, TaskKind.Schedule, rootId, processId, nodeId, scheduleId, callbackDataId, null, requires, 0, null, 0);
}
