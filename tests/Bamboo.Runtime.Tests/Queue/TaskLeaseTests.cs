using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Queue;

public sealed class TaskLeaseTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new("lease");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddDays(20000));
    private readonly SqliteRuntime _sut;

    public TaskLeaseTests() => _sut = _db.OpenRuntime(time: _time);

    public async ValueTask DisposeAsync()
    {
        await _sut.DisposeAsync();
        _db.Dispose();
    }

    private Task<long> EnqueueAsync() =>
        _sut.TransactAsync(tx => tx.Enqueue(new TaskRecord(0, TaskKind.Execute, 1, "n1", null, null, null, tx.Now, null, null, 0)));

    private Task<TaskRecord?> ClaimAsync(string owner, long leaseMs = 1000) => _sut.TransactAsync(tx => tx.ClaimTask(owner, leaseMs));

    [Fact]
    public async Task Claim_TakesDueFreeTasksInOrder_ThenLapsedLeases_NeverLiveOnes()
    {
        var first = await EnqueueAsync();
        var second = await EnqueueAsync();
        await _sut.TransactAsync(tx => tx.Enqueue(new TaskRecord(0, TaskKind.Execute, 1, "later", null, null, null, tx.Now + 5000, null, null, 0)));

        Assert.Equal(first, (await ClaimAsync("a", leaseMs: 1000))!.Id);
        Assert.Equal(second, (await ClaimAsync("b", leaseMs: 3000))!.Id);
        Assert.Null(await ClaimAsync("c"));
        Assert.Equal(_time.GetUtcNow().ToUnixTimeMilliseconds() + 1000, await _sut.NextDueAtAsync());

        // a's lease lapses first; b's is still live; "later" is not due yet.
        _time.Advance(TimeSpan.FromMilliseconds(1500));
        var taken = (await ClaimAsync("c"))!;
        Assert.Equal((first, 2), (taken.Id, taken.Attempts));
        Assert.Null(await ClaimAsync("d"));

        _time.Advance(TimeSpan.FromMilliseconds(4000));
        Assert.Equal("later", (await ClaimAsync("d"))!.NodeId);
    }

    [Fact]
    public async Task Claim_NeverTakesOverALapsedLeaseOfTheClaimingWorkerItself()
    {
        var id = await EnqueueAsync();
        Assert.Equal(id, (await ClaimAsync("a", leaseMs: 1000))!.Id);
        _time.Advance(TimeSpan.FromMilliseconds(1500));

        // "a" is alive (it is claiming): its renewal is late, and its follower still runs the task.
        Assert.Null(await ClaimAsync("a"));
        Assert.Equal(id, (await ClaimAsync("b"))!.Id);
    }

    [Fact]
    public async Task UpdateTask_AfterRenewals_KeepsTheRenewedLease()
    {
        await EnqueueAsync();
        var claimed = (await ClaimAsync("a"))!;
        _time.Advance(TimeSpan.FromMilliseconds(800));
        await _sut.RenewLeasesAsync("a", TimeSpan.FromSeconds(1));

        await _sut.TransactAsync(tx =>
        {
            tx.UpdateTask(claimed with { NodeId = "n2" });
            return 0;
        });
        _time.Advance(TimeSpan.FromMilliseconds(500));

        // 1.3 s after the claim, 0.5 s after the renewal: still owned by "a", so nobody else may take it.
        Assert.Null(await ClaimAsync("b"));
    }

    [Fact]
    public async Task UpdateTask_ByAWorkerWhoseLeaseLapsed_ThrowsAndChangesNothing()
    {
        await EnqueueAsync();
        var stale = (await ClaimAsync("a"))!;
        _time.Advance(TimeSpan.FromSeconds(2));
        var current = (await ClaimAsync("b"))!;

        var ex = await Assert.ThrowsAsync<LeaseLostException>(() => _sut.TransactAsync(tx =>
        {
            tx.UpdateTask(stale with { NodeId = "stale" });
            return 0;
        }));

        Assert.Equal(stale.Id, ex.TaskId);
        await _sut.TransactAsync(tx =>
        {
            tx.CompleteTask(current);
            return 0;
        });
        Assert.Null(await _sut.NextDueAtAsync());
    }

    [Fact]
    public async Task CompleteTask_ByAWorkerWhoseLeaseLapsed_Throws()
    {
        await EnqueueAsync();
        var stale = (await ClaimAsync("a"))!;
        _time.Advance(TimeSpan.FromSeconds(2));
        await ClaimAsync("b");

        await Assert.ThrowsAsync<LeaseLostException>(() => _sut.TransactAsync(tx =>
        {
            tx.CompleteTask(stale);
            return 0;
        }));

        Assert.NotNull(await _sut.NextDueAtAsync());
    }
}
