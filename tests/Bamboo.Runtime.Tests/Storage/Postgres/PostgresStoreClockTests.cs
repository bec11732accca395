using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

/// <summary>
/// PostgreSQL measures due times on the database's clock, so every host that shares the database agrees on them: the
/// clocks of a process (stepped, or far from another's) move no delay. Records still show the process's wall clock.
/// This replaces <see cref="StoreClockTests"/>, whose store clock follows the process's monotonic time.
/// </summary>
public sealed class PostgresStoreClockTests : StoreTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMinutes(10);

    private SteppingWallClock? _clock;

    private SteppingWallClock Clock => _clock ??= new SteppingWallClock(Time);

    protected override TimeProvider StoreTime => Clock;

    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("dbclock", databaseClock: true);

    private static Task<long> EnqueueAsync(IEngineStore store, TimeSpan delay) => store.WriteAsync(tx => tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, "n"), delay));

    private Task<TaskRecord?> ClaimAsync() => Sut.WriteAsync(tx => tx.Tasks.ClaimAsync("a", WorkFilter.Any));

    /// <summary>Asserts a wait was measured from a moment of the test's own (real) time: at most the delay, and not much less.</summary>
    private static void AssertAbout(TimeSpan delay, TimeSpan? dueIn)
    {
        Assert.NotNull(dueIn);
        Assert.InRange(dueIn.Value, delay - TimeSpan.FromSeconds(30), delay);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task ClaimAsync_ProcessWallClockStepsAnHour_DelayedTaskIsNeitherEarlyNorLate(int hours)
    {
        await EnqueueAsync(Sut, Delay);

        Clock.Step = TimeSpan.FromHours(hours);
        Time.Advance(TimeSpan.FromHours(1));
        var early = await ClaimAsync();
        var dueIn = await Sut.NextDueInAsync(WorkFilter.Any);

        Assert.Null(early);
        AssertAbout(Delay, dueIn);
    }

    [Fact]
    public async Task EnqueueAsync_Delay_IsMeasuredFromTheDatabasesClock()
    {
        await EnqueueAsync(Sut, Delay);

        var dueIn = await Database.CountAsync("SELECT due_at - CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT) FROM tasks");

        AssertAbout(Delay, TimeSpan.FromMilliseconds(dueIn));
    }

    [Fact]
    public async Task ClaimAsync_ShortDelay_IsTakenOnceTheDatabasesClockPassedIt()
    {
        await EnqueueAsync(Sut, TimeSpan.FromMilliseconds(300));

        var early = await ClaimAsync();
        TaskRecord? onTime = null;
        await WaitUntil.TrueAsync(async () => (onTime = await ClaimAsync()) is not null, TimeSpan.FromSeconds(20), "the task to be due");

        Assert.Null(early);
        Assert.Equal("a", onTime!.LeaseOwner);
    }

    [Fact]
    public async Task Now_WallClockSteps_FollowsTheWallClock()
    {
        Clock.Step = TimeSpan.FromHours(-1);

        var now = await Sut.WriteAsync(tx => ValueTask.FromResult(tx.Now));

        Assert.Equal(Clock.GetUtcNow().ToUnixTimeMilliseconds(), now);
    }

    [Fact]
    public async Task NextDueInAsync_AnotherProcessWhoseClocksAreYearsAway_SeesTheSameDelay()
    {
        var other = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(30000));
        var second = await Database.OpenStoreAsync(other);
        await using var secondLifetime = (IAsyncDisposable)second;

        await EnqueueAsync(Sut, Delay);
        var dueIn = await second.NextDueInAsync(WorkFilter.Any);

        AssertAbout(Delay, dueIn);
    }
}
