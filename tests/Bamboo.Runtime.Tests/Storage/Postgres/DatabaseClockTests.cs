using Bamboo.Runtime.Postgres;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

/// <summary>
/// The store's estimate of the database's clock: a reading of the server's clock carried forward on the process's
/// monotonic clock, trusted for the refresh interval only. No server needed.
/// </summary>
public sealed class DatabaseClockTests
{
    private static readonly TimeSpan Refresh = TimeSpan.FromSeconds(30);
    private const long ServerMillis = 1_800_000_000_000;

    private readonly FakeTimeProvider _monotonic = new(DateTimeOffset.UnixEpoch.AddDays(20000));

    private DatabaseClock CreateSut(TimeProvider? time = null) => new(time ?? _monotonic, Refresh);

    [Fact]
    public void Now_NoReadingYet_IsNullSoTheServerIsRead()
    {
        var sut = CreateSut();

        Assert.Null(sut.Now);
    }

    [Fact]
    public void Now_AfterAReading_FollowsTheMonotonicClockFromTheServersValue()
    {
        var sut = CreateSut();
        sut.Refresh(ServerMillis);

        _monotonic.Advance(TimeSpan.FromSeconds(5));

        Assert.Equal(ServerMillis + 5000, sut.Now);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public void Now_WallClockStepsAnHour_IsUnmoved(int hours)
    {
        var clocks = new SteppingWallClock(_monotonic);
        var sut = CreateSut(clocks);
        sut.Refresh(ServerMillis);

        clocks.Step = TimeSpan.FromHours(hours);
        _monotonic.Advance(TimeSpan.FromSeconds(2));

        Assert.Equal(ServerMillis + 2000, sut.Now);
    }

    [Fact]
    public void Now_ReadingOlderThanTheRefreshInterval_IsNullUntilTheServerIsReadAgain()
    {
        var sut = CreateSut();
        sut.Refresh(ServerMillis);
        _monotonic.Advance(Refresh);

        var stale = sut.Now;
        sut.Refresh(ServerMillis + 42_000);

        Assert.Null(stale);
        Assert.Equal(ServerMillis + 42_000, sut.Now);
        Assert.Equal(2, sut.Reads);
    }
}
