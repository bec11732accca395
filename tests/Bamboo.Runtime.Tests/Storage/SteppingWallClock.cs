using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// A machine's clocks as the store sees them: the monotonic timestamp of <paramref name="monotonic"/>, and a wall clock
/// that follows it until someone sets it (NTP, an operator), when it steps by <see cref="Step"/> and the monotonic
/// clock does not. FakeTimeProvider alone cannot show this: its timestamp is its wall clock, which only moves forward.
/// </summary>
internal sealed class SteppingWallClock(FakeTimeProvider monotonic) : TimeProvider
{
    /// <summary>How far the wall clock was set away from where the monotonic clock alone would have it.</summary>
    public TimeSpan Step { get; set; }

    public override DateTimeOffset GetUtcNow() => monotonic.GetUtcNow() + Step;

    public override long GetTimestamp() => monotonic.GetTimestamp();

    public override long TimestampFrequency => monotonic.TimestampFrequency;

    public override TimeZoneInfo LocalTimeZone => monotonic.LocalTimeZone;
}
