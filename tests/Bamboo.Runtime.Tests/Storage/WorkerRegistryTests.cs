using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// The workers that hold tasks: they register and beat; a worker whose beat stood still is reaped, fenced on the beat
/// its observer saw; a worker that exits cleanly hands its tasks back. Either way its tasks are due again at once.
/// </summary>
public abstract class WorkerRegistryTests : StoreTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private IWorkerRegistry Registry => Sut.Workers;

    private Task<long> EnqueueAsync(string nodeId, string? heldBy = null, TimeSpan delay = default) =>
        Sut.WriteAsync(tx => tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, nodeId) with { LeaseOwner = heldBy }, delay));

    private Task<TaskRecord?> ClaimAsync(string owner) => Sut.WriteAsync(tx => tx.Tasks.ClaimAsync(owner, WorkFilter.Any));

    /// <summary>Who holds each task of the run, by node.</summary>
    private async Task<Dictionary<string, string?>> HoldersAsync() =>
        (await Sut.ReadAsync(tx => tx.Tasks.GetForRootAsync("root"))).ToDictionary(t => t.NodeId, t => t.LeaseOwner);

    /// <summary>Claims by <paramref name="owner"/> until none is due; the node ids, in claim order.</summary>
    private async Task<List<string>> ClaimAllAsync(string owner)
    {
        var nodes = new List<string>();
        while (await ClaimAsync(owner) is { } task)
        {
            nodes.Add(task.NodeId);
        }

        return nodes;
    }

    /// <summary>Worker a holds "a1", "a2" (claimed) and "a-later" (stored held, due in an hour); worker b holds "b1".</summary>
    private async Task TwoWorkersHoldingTasksAsync()
    {
        await Registry.RegisterAsync("a", Lease);
        await Registry.RegisterAsync("b", Lease);
        await EnqueueAsync("a1");
        await EnqueueAsync("a2");
        Assert.Equal(["a1", "a2"], await ClaimAllAsync("a"));
        await EnqueueAsync("b1");
        Assert.Equal(["b1"], await ClaimAllAsync("b"));
        await EnqueueAsync("a-later", heldBy: "a", delay: TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task CountHeldByOthersAsync_TwoWorkersHoldingTasks_CountsOnlyTheOthersTasksAndNotQueuedOnes()
    {
        await TwoWorkersHoldingTasksAsync();
        await EnqueueAsync("queued");

        Assert.Equal(1, await Registry.CountHeldByOthersAsync("a"));
        Assert.Equal(3, await Registry.CountHeldByOthersAsync("b"));
        Assert.Equal(4, await Registry.CountHeldByOthersAsync("c"));
        await Registry.HandBackAsync("a");
        Assert.Equal(0, await Registry.CountHeldByOthersAsync("b"));
    }

    [Fact]
    public async Task RegisterAsync_NewWorkers_AreListedWithBeatZeroAndTheirLease()
    {
        await Registry.RegisterAsync("a", Lease);
        await Registry.RegisterAsync("b", TimeSpan.FromSeconds(5));

        var workers = await Registry.ListAsync();

        Assert.Equal([new WorkerBeat("a", 0, Lease), new WorkerBeat("b", 0, TimeSpan.FromSeconds(5))], workers.OrderBy(w => w.Owner, StringComparer.Ordinal));
    }

    [Fact]
    public async Task RegisterAsync_AgainWithAnotherLease_KeepsTheBeatAndTakesTheLease()
    {
        await Registry.RegisterAsync("a", Lease);
        await Registry.HeartbeatAsync("a");

        await Registry.RegisterAsync("a", TimeSpan.FromMinutes(2));

        Assert.Equal([new WorkerBeat("a", 1, TimeSpan.FromMinutes(2))], await Registry.ListAsync());
    }

    [Fact]
    public async Task HeartbeatAsync_RegisteredWorker_MovesItsCounterByOne()
    {
        await Registry.RegisterAsync("a", Lease);
        await Registry.RegisterAsync("b", Lease);

        var beats = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            beats.Add(await Registry.HeartbeatAsync("a"));
        }

        Assert.Equal([true, true, true], beats);
        Assert.Equal([("a", 3L), ("b", 0L)], (await Registry.ListAsync()).Select(w => (w.Owner, w.Beat)).Order());
    }

    [Fact]
    public async Task HeartbeatAsync_TaskHeldUnderANameNoLongerRegistered_GoesBackToTheQueueDueAtOnce()
    {
        await TwoWorkersHoldingTasksAsync();
        // A claim that committed after its worker was reaped: held under a name the registry no longer has.
        await EnqueueAsync("orphan", heldBy: "reaped", delay: TimeSpan.FromHours(1));

        Assert.True(await Registry.HeartbeatAsync("b"));

        var holders = await HoldersAsync();
        Assert.Null(holders["orphan"]);
        Assert.Equal(("a", "a", "a", "b"), (holders["a1"], holders["a2"], holders["a-later"], holders["b1"]));
        Assert.Equal(["orphan"], await ClaimAllAsync("b"));
    }

    [Fact]
    public async Task HeartbeatAsync_UnknownWorker_ReturnsFalse()
    {
        Assert.False(await Registry.HeartbeatAsync("nobody"));
        Assert.Empty(await Registry.ListAsync());
    }

    [Fact]
    public async Task ReapAsync_BeatStillAsSeen_RemovesTheWorkerAndReleasesItsTasksDueAtOnce()
    {
        await TwoWorkersHoldingTasksAsync();

        var released = await Registry.ReapAsync("a", 0);

        Assert.Equal(3, released);
        Assert.Equal(["b"], (await Registry.ListAsync()).Select(w => w.Owner));
        // Due at once, though "a-later" was stored for an hour from now: no clock moved.
        Assert.Equal(["a-later", "a1", "a2"], (await ClaimAllAsync("c")).Order(StringComparer.Ordinal));
        Assert.Equal("b", (await HoldersAsync())["b1"]);
    }

    [Fact]
    public async Task ReapAsync_ReapedWorker_BeatsInVainAndLeavesTheTasksToOthers()
    {
        await TwoWorkersHoldingTasksAsync();

        await Registry.ReapAsync("a", 0);

        Assert.False(await Registry.HeartbeatAsync("a"));
        Assert.DoesNotContain("a", (await Registry.ListAsync()).Select(w => w.Owner));
    }

    [Fact]
    public async Task ReapAsync_WorkerBeatSinceItWasSeen_IsFencedOffAndKeepsItsTasks()
    {
        await TwoWorkersHoldingTasksAsync();
        var seen = (await Registry.ListAsync()).Single(w => w.Owner == "a").Beat;
        await Registry.HeartbeatAsync("a");

        var released = await Registry.ReapAsync("a", seen);

        Assert.Equal(0, released);
        Assert.Contains("a", (await Registry.ListAsync()).Select(w => w.Owner));
        Assert.Empty(await ClaimAllAsync("c"));
        Assert.True(await Registry.HeartbeatAsync("a"));
    }

    [Fact]
    public async Task ReapAsync_UnknownWorker_ReleasesNothing()
    {
        await TwoWorkersHoldingTasksAsync();

        Assert.Equal(0, await Registry.ReapAsync("nobody", 0));
        Assert.Equal(2, (await Registry.ListAsync()).Count);
    }

    [Fact]
    public async Task HandBackAsync_HeldTasks_ReleasesThemDueAtOnceAndCountsRecoverPoints()
    {
        await TwoWorkersHoldingTasksAsync();
        // a2 is a recover point: its node is RUNNING at v1 and the service's execute was not applied yet.
        var a2 = (await Sut.ReadAsync(tx => tx.Tasks.GetForRootAsync("root"))).Single(t => t.NodeId == "a2");
        await WriteAsync(tx => tx.Tasks.CheckpointAsync(a2 with { Version = "v1" }));

        var left = await Registry.HandBackAsync("a");

        Assert.Equal(new HandBack(3, 1), left);
        Assert.Equal(["b"], (await Registry.ListAsync()).Select(w => w.Owner));
        Assert.False(await Registry.HeartbeatAsync("a"));
        Assert.Equal(["a-later", "a1", "a2"], (await ClaimAllAsync("c")).Order(StringComparer.Ordinal));
        Assert.Equal("b", (await HoldersAsync())["b1"]);
    }

    [Fact]
    public async Task HandBackAsync_ReleasedTasks_KeepTheirPlaceAheadOfNewerTasks()
    {
        await Registry.RegisterAsync("a", Lease);
        await EnqueueAsync("old");
        await ClaimAsync("a");
        Time.Advance(TimeSpan.FromSeconds(5));
        await EnqueueAsync("new");
        Time.Advance(TimeSpan.FromSeconds(5));

        await Registry.HandBackAsync("a");

        Assert.Equal(["old", "new"], await ClaimAllAsync("b"));
    }

    [Fact]
    public async Task HandBackAsync_WorkerHoldingNothing_LeavesTheRegistry()
    {
        await Registry.RegisterAsync("a", Lease);

        var left = await Registry.HandBackAsync("a");

        Assert.Equal(new HandBack(0, 0), left);
        Assert.Empty(await Registry.ListAsync());
    }

    [Fact]
    public async Task ReapAsync_ReleasedTasks_EndAWaitForWork()
    {
        await Registry.RegisterAsync("a", Lease);
        await EnqueueAsync("n", heldBy: "a");
        var waiting = Sut.WaitForWorkAsync(TimeSpan.FromMinutes(5));

        await Registry.ReapAsync("a", 0);

        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task HandBackAsync_ReleasedTasks_EndAWaitForWork()
    {
        await Registry.RegisterAsync("a", Lease);
        await EnqueueAsync("n", heldBy: "a");
        var waiting = Sut.WaitForWorkAsync(TimeSpan.FromMinutes(5));

        await Registry.HandBackAsync("a");

        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
    }
}
