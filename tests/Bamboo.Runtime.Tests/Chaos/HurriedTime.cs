namespace Bamboo.Runtime.Tests.Chaos;

/// <summary>
/// The system clock whose timers fire a hundred times sooner: a worker's one-second pause after a store error, and its
/// beat, take milliseconds. Clocks and timestamps are the system's, so nothing else changes.
/// </summary>
internal sealed class HurriedTime : TimeProvider
{
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        base.CreateTimer(callback, state, Hurry(dueTime), Hurry(period));

    private static TimeSpan Hurry(TimeSpan span) => span <= TimeSpan.Zero || span == Timeout.InfiniteTimeSpan ? span : span / 100;
}
