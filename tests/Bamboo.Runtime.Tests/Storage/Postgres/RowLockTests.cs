using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

/// <summary>
/// Write transactions run at once on PostgreSQL (SQLite's take turns). A write that reads a process or a schedule to
/// rewrite it locks the row as it reads, so a concurrent writer of the same row reads it only once the first
/// committed: no update is lost. Reads lock nothing.
/// </summary>
public sealed class RowLockTests : StoreTests
{
    private PostgresStoreDatabase Db => (PostgresStoreDatabase)Database;

    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("rowlock");

    /// <summary>
    /// Runs a first writer until it has read, then a second all the way (or until it waits
    /// for a lock the first holds), then lets the first write and commit.
    /// </summary>
    private async Task InterleaveAsync<TRead>(Func<IStoreTransaction, ValueTask<TRead>> read, Func<IStoreTransaction, TRead, ValueTask> firstWrite, Func<IStoreTransaction, TRead, ValueTask> secondWrite)
    {
        var firstRead = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var first = Sut.WriteAsync(async tx =>
        {
            var row = await read(tx);
            firstRead.SetResult();
            await release.Task;
            await firstWrite(tx, row);
            return 0;
        });
        await firstRead.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var second = Sut.WriteAsync(async tx =>
        {
            await secondWrite(tx, await read(tx));
            return 0;
        });
        await WaitUntil.TrueAsync(async () => second.IsCompleted || await LockWaitsAsync() > 0, TimeSpan.FromSeconds(20), "the second writer to finish or wait");
        release.SetResult();

        await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(20));
    }

    private Task<long> LockWaitsAsync() =>
        Database.CountAsync($"SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = '{Db.Schema}' AND wait_event_type = 'Lock'");

    [Fact]
    public async Task ScheduleRewrittenByTwoWritersAtOnce_KeepsBothUpdates()
    {
        var id = await Sut.WriteAsync(tx => tx.Schedules.InsertAsync(new ScheduleRecord(0, 1, 1, "n", "v1", false, false, false, null, 0)));

        await InterleaveAsync(
            async tx => (await tx.Schedules.GetAsync(id))!,
            (tx, s) => tx.Schedules.UpdateAsync(s with { Times = s.Times + 1 }),
            (tx, s) => tx.Schedules.UpdateAsync(s with { Times = s.Times + 1 }));

        Assert.Equal(2, (await Sut.ReadAsync(tx => tx.Schedules.GetAsync(id)))!.Times);
    }

    [Fact]
    public async Task ProcessRewrittenByTwoWritersAtOnce_KeepsBothUpdates()
    {
        var id = await Sut.WriteAsync(tx => tx.Processes.InsertAsync(Process("root", "a")));

        await InterleaveAsync(
            tx => tx.Processes.GetAsync(id),
            (tx, p) => tx.Processes.UpdateAsync(p with { LastHeartbeat = 42 }),
            (tx, p) => tx.Processes.UpdateAsync(p with { CurrentNodeId = "b" }));

        var process = await Sut.ReadAsync(tx => tx.Processes.GetAsync(id));
        Assert.Equal((42L, "b"), (process.LastHeartbeat, process.CurrentNodeId));
    }

    [Fact]
    public async Task ReadAsync_RowAWriterHoldsLocked_IsReadWithoutWaiting()
    {
        var id = await Sut.WriteAsync(tx => tx.Processes.InsertAsync(Process("root", "a")));
        var locked = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        var writer = Sut.WriteAsync(async tx =>
        {
            var p = await tx.Processes.GetAsync(id);
            await tx.Processes.UpdateAsync(p with { CurrentNodeId = "b" });
            locked.SetResult();
            await release.Task;
            return 0;
        });
        await locked.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var read = await Sut.ReadAsync(tx => tx.Processes.GetAsync(id)).WaitAsync(TimeSpan.FromSeconds(20));
        release.SetResult();
        await writer;

        Assert.Equal("a", read.CurrentNodeId);
    }

    [Fact]
    public async Task ScheduleRoutineAndCallbackOnOneNodeAtOnce_TakeTheirLocksWithoutDeadlocking()
    {
        await WriteAsync(tx => tx.Runs.InsertAsync(Run("root"), ["root", "n"]));
        var process = await Sut.WriteAsync(tx => tx.Processes.InsertAsync(Process("root", "n")));
        var schedule = await Sut.WriteAsync(tx => tx.Schedules.InsertAsync(new ScheduleRecord(0, 2, process, "n", "v1", false, false, false, null, 0)));
        var scheduleRead = new TaskCompletionSource();
        var release = new TaskCompletionSource();

        // The schedule routine: the schedule by id, then its process.
        var routine = Sut.WriteAsync(async tx =>
        {
            var s = (await tx.Schedules.GetAsync(schedule))!;
            scheduleRead.SetResult();
            await release.Task;
            var p = await tx.Processes.GetAsync(s.ProcessId);
            await tx.Processes.UpdateAsync(p with { LastHeartbeat = 7 });
            return 0;
        });
        await scheduleRead.Task.WaitAsync(TimeSpan.FromSeconds(20));
        // A callback: the process at the node, then the node's schedule by version.
        var callback = Sut.WriteAsync(async tx =>
        {
            var p = (await tx.Processes.GetAtAsync("n", asleep: null, dead: false)).Single();
            var s = await tx.Schedules.GetAsync("n", "v1");
            await tx.Processes.UpdateAsync(p with { Asleep = true });
            return s!.Id;
        });
        await WaitUntil.TrueAsync(async () => callback.IsCompleted || await LockWaitsAsync() > 0, TimeSpan.FromSeconds(20), "the callback to finish or wait");
        release.SetResult();

        await Task.WhenAll(routine, callback).WaitAsync(TimeSpan.FromSeconds(20));
        var stored = await Sut.ReadAsync(tx => tx.Processes.GetAsync(process));
        Assert.Equal((7L, true), (stored.LastHeartbeat, stored.Asleep));
    }

    [Fact]
    public async Task ReapAsync_TaskTheDeadWorkersOpenTransactionLocked_IsPassedOver_AndTheNextBeatReleasesIt()
    {
        await Sut.Workers.RegisterAsync("dead", TimeSpan.FromSeconds(2));
        await Sut.Workers.RegisterAsync("live", TimeSpan.FromSeconds(2));
        foreach (var node in new[] { "free", "locked" })
        {
            await Sut.WriteAsync(tx => tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, node) with { LeaseOwner = "dead" }));
        }

        // The dead worker's transaction, frozen mid-step: it has written the task of "locked" and not committed.
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var frozen = Sut.WriteAsync(async tx =>
        {
            var locked = (await tx.Tasks.GetForRootAsync("root")).Single(t => t.NodeId == "locked");
            await tx.Tasks.CheckpointAsync(locked with { Version = "v2" });
            await tx.States.GetAsync("any"); // sends the held checkpoint: the row is locked now
            entered.SetResult();
            await resume.Task;
            return 0;
        });
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20));

        // The reaper neither waits for that transaction nor deadlocks with it once it goes on.
        Assert.Equal(1, await Sut.Workers.ReapAsync("dead", 0).WaitAsync(TimeSpan.FromSeconds(20)));
        resume.SetResult();
        await frozen.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal("dead", (await Sut.ReadAsync(tx => tx.Tasks.GetForRootAsync("root"))).Single(t => t.NodeId == "locked").LeaseOwner);

        Assert.True(await Sut.Workers.HeartbeatAsync("live"));
        Assert.All(await Sut.ReadAsync(tx => tx.Tasks.GetForRootAsync("root")), t => Assert.Null(t.LeaseOwner));
    }
}
