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
/// The step committed RUNNING for an activity whose service did not finish synchronously (<see cref="InFlight"/>),
/// or, for a recover point, has still to be called.
/// </summary>
internal sealed record ServiceCallOutcome(
    TaskRecord Task, NodeInfo Node, string Version, string RootId, string TopPipelineId,
    int Loop, int InnerLoop, JsonObject Inputs, JsonObject RootData) : StepOutcome
{
    public Task<ServiceResult>? InFlight { get; init; }
}

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
internal sealed record ContinueOutcome(TaskRecord Task, ProcessRecord Process) : StepOutcome;

/// <summary>
/// A fork started some of its branches in the committed step: <see cref="Own"/> is what the forking task does next,
/// <see cref="Started"/> what each started branch's task (leased to this worker) does next.
/// </summary>
internal sealed record BranchesOutcome(StepOutcome Own, IReadOnlyList<(TaskRecord Task, StepOutcome Outcome)> Started) : StepOutcome;
