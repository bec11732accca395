using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// The durable queue: due times on the store's clock, claims that honour a worker's filter, and writes on a held
/// task that only its holder may make.
/// </summary>
public abstract class TaskStoreTests : StoreTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);
    private static readonly string NeedsX = Requirement.Component("x", "1.0");
    private static readonly string NeedsY = Requirement.Component("y", "1.0");

    private static TaskRecord NewTask(string nodeId, string rootId = "root", string? requires = null) =>
        TaskRecord.Execute(rootId, 1, nodeId) with { Requires = requires };

    private Task<long> EnqueueAsync(TaskRecord task, TimeSpan delay = default) => Sut.WriteAsync(tx => tx.Tasks.EnqueueAsync(task, delay));

    private Task<TaskRecord?> ClaimAsync(string owner, WorkFilter? filter = null) => Sut.WriteAsync(tx => tx.Tasks.ClaimAsync(owner, filter ?? WorkFilter.Any));

    private Task<IReadOnlyList<TaskRecord>> TasksOfAsync(string rootId) => Sut.ReadAsync(tx => tx.Tasks.GetForRootAsync(rootId));

    /// <summary>Claims by <paramref name="owner"/> until none is left; the node ids, in claim order.</summary>
    private async Task<List<string>> ClaimAllAsync(string owner, WorkFilter filter)
    {
        var nodes = new List<string>();
        while (await ClaimAsync(owner, filter) is { } task)
        {
            nodes.Add(task.NodeId);
        }

        return nodes;
    }

    [Fact]
    public async Task ClaimAsync_EnqueuedTask_ReturnsItAsEnqueuedHeldByTheClaimer()
    {
        var schedule = TaskRecord.Schedule("root", 3, "act", 11, 12, NeedsX) with { Version = "v1" };
        var id = await EnqueueAsync(schedule);

        var claimed = await ClaimAsync("a");

        Assert.Equal(schedule with { Id = id, LeaseOwner = "a", Attempts = 1 }, claimed! with { DueAt = 0 });
    }

    [Fact]
    public async Task ClaimAsync_SeveralDueTasks_TakesTheEarliestDueFirstThenTheOldest()
    {
        await EnqueueAsync(NewTask("later"), TimeSpan.FromSeconds(2));
        await EnqueueAsync(NewTask("first"));
        await EnqueueAsync(NewTask("second"));
        Time.Advance(TimeSpan.FromSeconds(3));

        var order = await ClaimAllAsync("a", WorkFilter.Any);

        Assert.Equal(["first", "second", "later"], order);
    }

    [Fact]
    public async Task ClaimAsync_TaskHeldByAnotherWorker_IsNotTakenHoweverLongItIsHeld()
    {
        await EnqueueAsync(NewTask("n"));
        await ClaimAsync("a");

        Time.Advance(TimeSpan.FromDays(1));

        Assert.Null(await ClaimAsync("b"));
        Assert.Null(await ClaimAsync("a"));
    }

    [Fact]
    public async Task ClaimAsync_DelayedTask_IsTakenOnlyOnceItsDelayHasPassed()
    {
        await EnqueueAsync(NewTask("n"), TimeSpan.FromSeconds(5));
        Assert.Null(await ClaimAsync("a"));

        Time.Advance(TimeSpan.FromMilliseconds(4999));
        Assert.Null(await ClaimAsync("a"));

        Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal("n", (await ClaimAsync("a"))?.NodeId);
    }

    [Fact]
    public async Task ClaimAsync_RequirementOutsideTheCapabilities_LeavesTheTaskToAWorkerThatHasIt()
    {
        await EnqueueAsync(NewTask("needs-x", requires: NeedsX));
        await EnqueueAsync(NewTask("needs-nothing"));
        await EnqueueAsync(NewTask("needs-y", requires: NeedsY));

        var withoutX = await ClaimAllAsync("a", new WorkFilter([NeedsY, "variable:other"]));
        var withX = await ClaimAllAsync("b", new WorkFilter([NeedsX]));

        Assert.Equal(["needs-nothing", "needs-y"], withoutX);
        Assert.Equal(["needs-x"], withX);
    }

    [Fact]
    public async Task ClaimAsync_NoCapabilities_TakesOnlyTasksThatNeedNoUserCode()
    {
        await EnqueueAsync(NewTask("needs-x", requires: NeedsX));
        await EnqueueAsync(NewTask("needs-nothing"));

        var claimed = await ClaimAllAsync("a", new WorkFilter([]));

        Assert.Equal(["needs-nothing"], claimed);
    }

    [Fact]
    public async Task ClaimAsync_AnyRequirement_TakesEveryTask()
    {
        await EnqueueAsync(NewTask("needs-x", requires: NeedsX));
        await EnqueueAsync(NewTask("needs-nothing"));

        var claimed = await ClaimAllAsync("a", new WorkFilter([]) { AnyRequirement = true });

        Assert.Equal(["needs-x", "needs-nothing"], claimed);
    }

    [Fact]
    public async Task ClaimAsync_Roots_TakesOnlyTasksOfThoseRuns()
    {
        foreach (var root in new[] { "r1", "r2", "r3" })
        {
            await EnqueueAsync(NewTask($"{root}-n", rootId: root));
        }

        var none = await ClaimAllAsync("a", WorkFilter.Any with { Roots = [] });
        var some = await ClaimAllAsync("a", WorkFilter.Any with { Roots = ["r3", "r1"] });
        var rest = await ClaimAllAsync("a", WorkFilter.Any);

        Assert.Empty(none);
        Assert.Equal(["r1-n", "r3-n"], some);
        Assert.Equal(["r2-n"], rest);
    }

    [Fact]
    public async Task ClaimAsync_RootsAndCapabilities_MustBothAdmitTheTask()
    {
        await EnqueueAsync(NewTask("r1-x", rootId: "r1", requires: NeedsX));
        await EnqueueAsync(NewTask("r2-x", rootId: "r2", requires: NeedsX));
        await EnqueueAsync(NewTask("r1-y", rootId: "r1", requires: NeedsY));

        var claimed = await ClaimAllAsync("a", new WorkFilter([NeedsX], ["r1"]));

        Assert.Equal(["r1-x"], claimed);
    }

    [Fact]
    public async Task NextDueInAsync_EmptyQueue_ReturnsNull()
    {
        Assert.Null(await Sut.NextDueInAsync(WorkFilter.Any));
    }

    [Fact]
    public async Task NextDueInAsync_DelayedTask_CountsDownToZeroWithTheClock()
    {
        await EnqueueAsync(NewTask("n"), TimeSpan.FromSeconds(10));
        Assert.Equal(TimeSpan.FromSeconds(10), await Sut.NextDueInAsync(WorkFilter.Any));

        Time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(TimeSpan.FromSeconds(6), await Sut.NextDueInAsync(WorkFilter.Any));

        Time.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal(TimeSpan.Zero, await Sut.NextDueInAsync(WorkFilter.Any));
    }

    [Fact]
    public async Task NextDueInAsync_TasksTheFilterRejectsOrSomeoneHolds_AreNotCounted()
    {
        await EnqueueAsync(NewTask("held"));
        await ClaimAsync("a");
        await EnqueueAsync(NewTask("other-run", rootId: "r2"), TimeSpan.FromSeconds(1));
        await EnqueueAsync(NewTask("needs-x", requires: NeedsX), TimeSpan.FromSeconds(2));
        await EnqueueAsync(NewTask("plain"), TimeSpan.FromSeconds(3));

        var forRoot = await Sut.NextDueInAsync(new WorkFilter([], ["root"]));
        var forX = await Sut.NextDueInAsync(new WorkFilter([NeedsX], ["root"]));
        var forNone = await Sut.NextDueInAsync(new WorkFilter([NeedsX], ["r3"]));

        Assert.Equal(TimeSpan.FromSeconds(3), forRoot);
        Assert.Equal(TimeSpan.FromSeconds(2), forX);
        Assert.Null(forNone);
    }

    [Fact]
    public async Task CheckpointAsync_HeldTask_MovesItsCheckpointAndKeepsItHeld()
    {
        await EnqueueAsync(NewTask("n1"));
        var claimed = (await ClaimAsync("a"))!;
        var moved = claimed with { NodeId = "n2", ScheduleId = 5, CallbackDataId = 6, Version = "v2", Requires = NeedsX };

        await WriteAsync(tx => tx.Tasks.CheckpointAsync(moved));

        Assert.Equal([moved], await TasksOfAsync("root"));
        Assert.Null(await ClaimAsync("b"));
    }

    [Fact]
    public async Task RequeueAsync_HeldTask_GivesItBackDueAfterTheDelayWithItsAttemptsAndRequirement()
    {
        await EnqueueAsync(NewTask("n"));
        var claimed = (await ClaimAsync("a"))!;

        await WriteAsync(tx => tx.Tasks.RequeueAsync(claimed with { Requires = NeedsX }, TimeSpan.FromSeconds(3)));

        var stored = (await TasksOfAsync("root")).Single();
        Assert.Equal((null, 1, NeedsX), (stored.LeaseOwner, stored.Attempts, stored.Requires));
        Assert.Null(await ClaimAsync("b", new WorkFilter([NeedsX])));
        Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Null(await ClaimAsync("b", new WorkFilter([])));
        var again = await ClaimAsync("b", new WorkFilter([NeedsX]));
        Assert.Equal(("b", 2), (again!.LeaseOwner, again.Attempts));
    }

    [Fact]
    public async Task CompleteAsync_HeldTask_RemovesIt()
    {
        await EnqueueAsync(NewTask("n"));
        var claimed = (await ClaimAsync("a"))!;

        await WriteAsync(tx => tx.Tasks.CompleteAsync(claimed));

        Assert.Empty(await TasksOfAsync("root"));
        Assert.Null(await Sut.NextDueInAsync(WorkFilter.Any));
    }

    [Theory]
    [InlineData("checkpoint")]
    [InlineData("requeue")]
    [InlineData("complete")]
    public async Task WriteOnATask_WorkerThatWasReapedWhileHoldingIt_ThrowsLeaseLostAndChangesNothing(string write)
    {
        await Sut.Workers.RegisterAsync("a", TimeSpan.FromSeconds(30));
        await EnqueueAsync(NewTask("n"));
        var stale = (await ClaimAsync("a"))!;
        await Sut.Workers.ReapAsync("a", 0);
        var current = (await ClaimAsync("b"))!;

        var error = await Assert.ThrowsAsync<LeaseLostException>(() => WriteAsync(async tx =>
        {
            await tx.Tasks.EnqueueAsync(NewTask("written-before"));
            var task = tx.Tasks;
            await (write switch
            {
                "checkpoint" => task.CheckpointAsync(stale with { NodeId = "stale" }),
                "requeue" => task.RequeueAsync(stale, TimeSpan.Zero),
                _ => task.CompleteAsync(stale),
            });
        }));

        Assert.Equal(stale.Id, error.TaskId);
        Assert.Equal([current], await TasksOfAsync("root"));
        await WriteAsync(tx => tx.Tasks.CompleteAsync(current));
        Assert.Empty(await TasksOfAsync("root"));
    }

    [Fact]
    public async Task CheckpointAsync_LeaseLostThenReadsAndWrites_ThrowsLeaseLostAndCommitsNothing()
    {
        await EnqueueAsync(NewTask("n"));
        var stale = (await ClaimAsync("a"))!;
        await WriteAsync(tx => tx.Tasks.RequeueAsync(stale, TimeSpan.Zero));
        var current = (await ClaimAsync("b"))!;

        await Assert.ThrowsAsync<LeaseLostException>(() => WriteAsync(async tx =>
        {
            await tx.Tasks.CheckpointAsync(stale with { NodeId = "stale" });
            await tx.Tasks.GetForRootAsync("root");
            await tx.Tasks.EnqueueAsync(NewTask("written-after"));
            await tx.States.InsertAsync(State("written-after"));
        }));

        Assert.Equal([current], await TasksOfAsync("root"));
        Assert.Null(await Sut.ReadAsync(tx => tx.States.GetAsync("written-after")));
    }

    [Fact]
    public async Task CompleteAsync_TaskNobodyHolds_ThrowsLeaseLost()
    {
        var id = await EnqueueAsync(NewTask("n"));

        await Assert.ThrowsAsync<LeaseLostException>(() => WriteAsync(tx => tx.Tasks.CompleteAsync(NewTask("n") with { Id = id, LeaseOwner = "a" })));

        Assert.Single(await TasksOfAsync("root"));
    }

    [Fact]
    public async Task EnqueueAsync_WithALeaseOwner_StoresTheTaskHeldByThatWorker()
    {
        var id = await EnqueueAsync(NewTask("branch") with { LeaseOwner = "a" });

        Assert.Null(await ClaimAsync("b"));
        var held = (await TasksOfAsync("root")).Single();
        Assert.Equal((id, "a"), (held.Id, held.LeaseOwner));
        await WriteAsync(tx => tx.Tasks.CompleteAsync(held));
        Assert.Empty(await TasksOfAsync("root"));
    }

    [Fact]
    public async Task GetForRootAsync_TasksOfSeveralRuns_ReturnsThatRunsTasksHeldOrNotInOrder()
    {
        await EnqueueAsync(NewTask("r1-a", rootId: "r1"));
        await EnqueueAsync(NewTask("r2-a", rootId: "r2"));
        await EnqueueAsync(NewTask("r1-b", rootId: "r1"), TimeSpan.FromHours(1));
        await ClaimAsync("a");

        var tasks = await TasksOfAsync("r1");

        Assert.Equal([("r1-a", "a"), ("r1-b", null)], tasks.Select(t => (t.NodeId, t.LeaseOwner)));
    }

    [Fact]
    public async Task WaitForWorkAsync_TaskCommittedWhileWaiting_EndsTheWait()
    {
        using var stop = new CancellationTokenSource();
        var waiting = Sut.WaitForWorkAsync(Long, stop.Token);

        await EnqueueAsync(NewTask("n"));

        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task WaitForWorkAsync_TaskGivenBackWhileWaiting_EndsTheWait()
    {
        await EnqueueAsync(NewTask("n") with { LeaseOwner = "a" });
        var held = (await TasksOfAsync("root")).Single();
        using var stop = new CancellationTokenSource();
        var waiting = Sut.WaitForWorkAsync(Long, stop.Token);

        await WriteAsync(tx => tx.Tasks.RequeueAsync(held, TimeSpan.Zero));

        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task ClaimAsync_ManyWorkersAtOnce_GivesEachTaskToExactlyOneOfThem()
    {
        await Sut.WriteAsync(async tx =>
        {
            for (var i = 0; i < 100; i++)
            {
                await tx.Tasks.EnqueueAsync(NewTask($"n{i}"));
            }

            return 0;
        });

        var claims = await Task.WhenAll(Enumerable.Range(0, 8).Select(w => Task.Run(() => ClaimAllAsync($"w{w}", WorkFilter.Any))));

        var claimed = claims.SelectMany(c => c).ToList();
        Assert.Equal(100, claimed.Count);
        Assert.Equal(100, claimed.Distinct().Count());
    }
}
