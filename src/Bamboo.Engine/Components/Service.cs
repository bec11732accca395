using System.Text.Json.Nodes;

namespace Bamboo.Engine.Components;

/// <summary>
/// The user code behind a ServiceActivity. A fresh instance serves each call, so state travels only
/// through <see cref="ExecutionData.Outputs"/>. Return false for failure; an exception is a failure too.
/// </summary>
public abstract class Service
{
    private bool _scheduleFinished;

    /// <summary>Runtime attributes, set by the engine before each call.</summary>
    public ServiceContext Context { get; internal set; } = null!;

    /// <summary>Whether a schedule phase follows a successful execute.</summary>
    public virtual bool NeedSchedule => false;

    /// <summary>Polling interval; null with <see cref="NeedSchedule"/> means callback mode.</summary>
    public virtual ScheduleInterval? Interval => null;

    /// <summary>With no interval: accept several callbacks until the service finishes.</summary>
    public virtual bool MultiCallbackEnabled => false;

    /// <summary>
    /// How long one execute or schedule call of this component may take before the engine gives up on it and fails the
    /// node (the call is cancelled and abandoned). The tree's <c>timeout</c> on a node wins; null: no limit.
    /// </summary>
    public virtual TimeSpan? Timeout => null;

    /// <summary>Whether <see cref="OnHookAsync"/> is called at lifecycle points.</summary>
    public virtual bool NeedRunHook => false;

    public ScheduleType? ScheduleType => !NeedSchedule ? null
        : Interval is not null ? Components.ScheduleType.Poll
        : MultiCallbackEnabled ? Components.ScheduleType.MultipleCallback
        : Components.ScheduleType.Callback;

    public bool IsScheduleFinished => _scheduleFinished;

    public abstract ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default);

    public virtual ValueTask<bool> ScheduleAsync(ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(true);

    /// <summary>Called at lifecycle points when <see cref="NeedRunHook"/> is true; exceptions are swallowed by the engine.</summary>
    public virtual ValueTask<bool> OnHookAsync(ServiceHook hook, ExecutionData data, ExecutionData parentData, JsonObject? callbackData, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(true);

    /// <summary>Marks the schedule phase done.</summary>
    public void FinishSchedule() => _scheduleFinished = true;

    internal void ResetScheduleFinished() => _scheduleFinished = false;
}
