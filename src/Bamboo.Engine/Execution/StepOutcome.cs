using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

/// <summary>What a committed step asks the worker to do next.</summary>
internal abstract record StepOutcome
{
    public static readonly StepOutcome Done = new DoneOutcome();

    private sealed record DoneOutcome : StepOutcome;
}

/// <summary>
/// The step committed the activity RUNNING with a recover point (or found one after a crash); its service is called
/// outside the transaction, and its result applied in the next one if the node still has <see cref="Version"/>.
/// </summary>
internal sealed record ServiceCallOutcome(
    TaskRecord Task, NodeInfo Node, string Version, string RootId, string TopPipelineId,
    int Loop, int InnerLoop, JsonObject Inputs, JsonObject RootData) : StepOutcome
{
    /// <summary>
    /// The walking process as stored when the step committed. While the node keeps its version nothing else can change
    /// it (operators act on asleep or suspended processes, and forced-fail changes the version), so the step that
    /// applies the result need not read it again.
    /// </summary>
    public ProcessRecord? Process { get; init; }

    /// <summary>
    /// The node's RUNNING state as the step committed it (null after a recover point, which reads it). Only a forced
    /// fail changes a running activity, and it changes the version, so the step that applies the result need not read
    /// the state first: its versioned write fails if the node moved on, and the step is then retried with a read.
    /// </summary>
    public StateRecord? State { get; init; }
}

/// <summary>A recover point needs user code (a lazy variable in the inputs) before its service can be called again.</summary>
internal sealed record ResumeOutcome(TaskRecord Task, UserCodeResults UserCode) : StepOutcome;

/// <summary>A schedule call was prepared (lock taken); the service must be called outside the transaction.</summary>
internal sealed record ScheduleCallOutcome(
    TaskRecord Task, NodeInfo Node, ScheduleRecord Schedule, StateRecord State, string RootId, string TopPipelineId,
    JsonObject Inputs, JsonObject Outputs, JsonObject RootData, JsonObject? CallbackData) : StepOutcome;

/// <summary>The root pipeline reached its end in the committed step.</summary>
internal sealed record PipelineFinishedOutcome(string RootId) : StepOutcome;

/// <summary>The walk paused only to keep transactions short; continue from the task's node.</summary>
/// <remarks>
/// <see cref="Process"/> is the walking process as this worker left it: the worker holds the task's lease, and
/// no operator call can change a process that is not asleep or suspended, so the next step need not re-read it.
/// </remarks>
internal sealed record ContinueOutcome(TaskRecord Task, ProcessRecord Process) : StepOutcome
{
    /// <summary>Set when the walk stopped for user code: run <see cref="UserCodeResults.Missing"/>, then walk on with it.</summary>
    public UserCodeResults? UserCode { get; init; }
}

/// <summary>
/// A fork started some of its branches in the committed step: <see cref="Own"/> is what the forking task does next,
/// <see cref="Started"/> what each started branch's task (leased to this worker) does next.
/// </summary>
internal sealed record BranchesOutcome(StepOutcome Own, IReadOnlyList<(TaskRecord Task, StepOutcome Outcome)> Started) : StepOutcome;
