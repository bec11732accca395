namespace Bamboo.Runtime.Tests.Workers;

/// <summary>
/// The system clock with a wall-clock offset that a test can step, as NTP or an operator steps a machine's clock: the
/// wall time jumps, the monotonic timestamp does not.
/// </summary>
internal sealed class SteppingTimeProvider : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
        set => Interlocked.Exchange(ref _offsetTicks, value.Ticks);
    }

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + Offset;
}
