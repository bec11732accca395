using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// Due times are measured on the store's own clock, which moves with the monotonic clock: a step of the wall clock,
/// forward or back, neither fires a delayed task early nor stalls it. Records still show wall-clock times.
/// </summary>
public abstract class StoreClockTests : StoreTests
{
    private static readonly TimeSpan Delay = TimeSpan.FromMinutes(10);

    private SteppingWallClock? _clock;

    private SteppingWallClock Clock => _clock ??= new SteppingWallClock(Time);

    protected override TimeProvider StoreTime => Clock;

    private Task<long> EnqueueAsync(TimeSpan delay) => Sut.WriteAsync(tx => tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, "n"), delay));

    private Task<TaskRecord?> ClaimAsync() => Sut.WriteAsync(tx => tx.Tasks.ClaimAsync("a", WorkFilter.Any));

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task ClaimAsync_WallClockStepsAnHour_DelayedTaskIsDueAfterItsDelayAndNotBefore(int hours)
    {
        await EnqueueAsync(Delay);

        Clock.Step = TimeSpan.FromHours(hours);
        Time.Advance(Delay - TimeSpan.FromSeconds(1));
        var early = await ClaimAsync();
        var dueIn = await Sut.NextDueInAsync(WorkFilter.Any);
        Time.Advance(TimeSpan.FromSeconds(1));
        var onTime = await ClaimAsync();

        Assert.Null(early);
        Assert.Equal(TimeSpan.FromSeconds(1), dueIn);
        Assert.NotNull(onTime);
    }

    [Fact]
    public async Task Now_WallClockSteps_FollowsTheWallClock()
    {
        Clock.Step = TimeSpan.FromHours(-1);

        var now = await Sut.WriteAsync(tx => ValueTask.FromResult(tx.Now));

        Assert.Equal(Clock.GetUtcNow().ToUnixTimeMilliseconds(), now);
    }

    [Fact]
    public async Task NextDueInAsync_TransactionsLessThanAMillisecondApart_StillSeeTheClockAdvance()
    {
        await EnqueueAsync(TimeSpan.FromMilliseconds(5));

        // A busy store: a read or a write every half millisecond, for ten milliseconds.
        for (var i = 0; i < 10; i++)
        {
            Time.Advance(TimeSpan.FromMilliseconds(0.5));
            await Sut.NextDueInAsync(WorkFilter.Any);
            Time.Advance(TimeSpan.FromMilliseconds(0.5));
            await Sut.WriteAsync(tx => ValueTask.FromResult(0));
        }

        Assert.Equal(TimeSpan.Zero, await Sut.NextDueInAsync(WorkFilter.Any));
        Assert.NotNull(await ClaimAsync());
    }

    [Fact]
    public async Task NextDueInAsync_StoreReopenedOnAnotherMachineClock_KeepsTheRemainingDelay()
    {
        await EnqueueAsync(Delay);
        Time.Advance(TimeSpan.FromMinutes(4));
        // The last write before the restart carries the store's clock forward.
        await Sut.WriteAsync(tx => ValueTask.FromResult(0));

        // A process started later, whose clocks have nothing in common with the first one's.
        var restarted = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(30000));
        await ReopenAsync(restarted);
        var remaining = await Sut.NextDueInAsync(WorkFilter.Any);
        restarted.Advance(TimeSpan.FromMinutes(6));
        var task = await ClaimAsync();

        Assert.Equal(TimeSpan.FromMinutes(6), remaining);
        Assert.NotNull(task);
    }
}
