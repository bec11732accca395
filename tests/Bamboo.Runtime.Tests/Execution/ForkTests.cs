using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Execution;

/// <summary>
/// A fork runs the first walk of its branches in its own transaction (up to MaxConcurrentTasks of them) and follows
/// those that go on; the rest are queued. Every way a branch can go on must end with each node run once.
/// </summary>
public sealed class ForkTests
{
    /// <summary>An activity whose execute waits for the test to open a gate, so it is still running when the fork commits.</summary>
    private sealed class GatedNode(Gate gate) : Service
    {
        public override async ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref gate.Entered);
            await gate.Open.Task.WaitAsync(cancellationToken);
            return true;
        }
    }

    private sealed class Gate
    {
        public int Entered;

        public TaskCompletionSource Open { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>start → pg → n × (first → second) → cg → end; returns the pipeline and every activity id.</summary>
    private static (Pipeline Pipeline, List<string> Activities) Fork(int branches, string first, string second)
    {
        var start = new EmptyStartEvent();
        var pg = start.Extend(new ParallelGateway());
        var activities = new List<string>();
        for (var b = 0; b < branches; b++)
        {
            var head = new ServiceActivity(first);
            var tail = head.Extend(new ServiceActivity(second));
            pg.Connect(head);
            activities.Add(head.Id);
            activities.Add(tail.Id);
        }

        pg.Converge(new ConvergeGateway()).Extend(new EmptyEndEvent());
        return (PipelineBuilder.BuildTree(start), activities);
    }

    private static async Task AssertEachRanOnceAsync(EngineHarness h, Pipeline pipeline, IEnumerable<string> activities)
    {
        await h.WaitStateAsync(pipeline.Id, NodeState.Finished);
        foreach (var id in activities)
        {
            var state = await h.StateAsync(id);
            Assert.Equal(NodeState.Finished, state?.Name);
            Assert.Equal(1, state!.Loop);
            Assert.Empty(await h.HistoriesAsync(id));
        }

        await WaitUntil.TrueAsync(async () => await Task.FromResult(h.TasksLeft() == 0), TimeSpan.FromSeconds(20), "no task left behind");
    }

    [Fact]
    public async Task Branches_whose_service_is_still_running_when_the_fork_commits_are_followed_to_the_end()
    {
        var gate = new Gate();
        await using var h = new EngineHarness(new ComponentRegistry().AddComponent("gated_node", () => new GatedNode(gate)));
        var (pipeline, activities) = Fork(20, "gated_node", "empty_node");
        await h.StartAsync(pipeline);

        await WaitUntil.TrueAsync(() => Task.FromResult(Volatile.Read(ref gate.Entered) == 20), TimeSpan.FromSeconds(20), "every branch's service to start");
        // Each waiting branch holds a stored task with its recover point, leased to the worker following it.
        Assert.NotEqual(0, h.TasksLeft());
        gate.Open.SetResult();

        await AssertEachRanOnceAsync(h, pipeline, activities);
    }

    /// <summary>How many tasks the store ever queued (task ids are never reused).</summary>
    private static long TasksEverQueued(EngineHarness h)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={h.DatabasePath};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'tasks'), 0)";
        return (long)cmd.ExecuteScalar()!;
    }

    [Fact]
    public async Task Branches_started_in_the_forks_transaction_are_stored_only_at_their_activity()
    {
        await using var h = new EngineHarness();
        var start = new EmptyStartEvent();
        var pg = start.Extend(new ParallelGateway());
        var branches = Enumerable.Range(0, 20).Select(_ => new ServiceActivity("empty_node")).ToArray();
        pg.Connect(branches);
        pg.Converge(new ConvergeGateway()).Extend(new EmptyEndEvent());
        var pipeline = PipelineBuilder.BuildTree(start);
        await h.StartAsync(pipeline);

        await AssertEachRanOnceAsync(h, pipeline, branches.Select(b => b.Id));
        // The run's first task, the converge's, and one per branch: each branch walked into its activity inside the
        // fork's transaction, where its task was stored (leased to this worker) with the recover point its service
        // needs, since services run only after a commit.
        Assert.Equal(2 + 20, TasksEverQueued(h));
    }

    [Fact]
    public async Task A_fork_wider_than_the_budget_queues_the_branches_beyond_it()
    {
        await using var h = new EngineHarness(options: new EngineOptions { WorkerCount = 2, MaxConcurrentTasks = 3 });
        var (pipeline, activities) = Fork(10, "empty_node", "debug_no_schedule_node");
        await h.StartAsync(pipeline);

        await AssertEachRanOnceAsync(h, pipeline, activities);
        // Each of the 3 started branches stored its task at its first activity; 7 were queued.
        Assert.Equal(2 + 3 + 7, TasksEverQueued(h));
    }

    [Fact]
    public async Task A_branch_that_forks_again_starts_its_own_branches_too()
    {
        await using var h = new EngineHarness();
        // start → pg → [a → pg2 → (b1, b2) → cg2 → c, d] → cg → end
        var start = new EmptyStartEvent();
        var pg = start.Extend(new ParallelGateway());
        var a = new ServiceActivity("empty_node");
        var pg2 = a.Extend(new ParallelGateway());
        var (b1, b2) = (new ServiceActivity("empty_node"), new ServiceActivity("empty_node"));
        pg2.Connect(b1, b2);
        var c = pg2.Converge(new ConvergeGateway()).Extend(new ServiceActivity("empty_node"));
        var d = new ServiceActivity("empty_node");
        pg.Connect(a, d);
        pg.Converge(new ConvergeGateway()).Extend(new EmptyEndEvent());
        var pipeline = PipelineBuilder.BuildTree(start);
        await h.StartAsync(pipeline);

        await AssertEachRanOnceAsync(h, pipeline, [a.Id, b1.Id, b2.Id, c.Id, d.Id]);
    }
}
