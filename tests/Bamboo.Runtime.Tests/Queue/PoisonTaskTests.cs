using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Queue;

/// <summary>
/// A task whose step keeps failing (here: its run's stored tree is not JSON) is retried with back-off, never in a tight
/// loop. After its last attempt the engine gives up: the task goes, and its node turns FAILED with the error, where an
/// operator sees it and can retry the node as after any failure.
/// </summary>
public sealed class PoisonTaskTests
{
    [Fact]
    public async Task RunAsync_TaskWhoseStepAlwaysFails_RetriesItWithBackOffThenFailsItsNode()
    {
        using var db = new TempDatabase("poison");
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        await using var store = db.OpenStore(time);
        await SeedPoisonedRunAsync(store, state: null, asleep: true);
        var log = new CollectingLogger<EngineWorker>();

        await RunUntilGivenUpAsync(store, new ComponentRegistry(), time, log);

        var failures = log.Entries.Count(e => e.Contains("failed (attempt", StringComparison.Ordinal));
        Assert.True(failures == 5, $"expected 5 failed attempts, saw {failures}: {string.Join(" | ", log.Entries.Take(3))}");
        Assert.Null(await store.NextDueInAsync(WorkFilter.Any));
        Assert.Empty(await store.ReadAsync(tx => tx.Tasks.GetForRootAsync("p_poison")));
        var (state, outputs, process) = await store.ReadAsync(async tx =>
            (await tx.States.GetAsync("n_poison"), (await tx.Data.GetExecutionDataAsync("n_poison"))?.Outputs, (await tx.Processes.GetAtAsync("n_poison", asleep: true, dead: false)).Count));
        Assert.Equal(NodeState.Failed, state?.Name);
        Assert.Equal("p_poison", state?.ParentId);
        Assert.Contains("gave up on the walk from this node after 5 failed attempts", outputs?["ex_data"]?.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, process);
    }

    [Fact]
    public async Task RunAsync_GivingUpOnATaskWhoseNodeRunsAtAnotherVersion_LeavesTheNodeAlone()
    {
        using var db = new TempDatabase("poison-running");
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        await using var store = db.OpenStore(time);
        await SeedPoisonedRunAsync(store, new StateRecord("n_poison", "p_poison", "p_poison", NodeState.Running, "v-other-call", 1, 1, 0, false, false, 0, 0, null), asleep: false);
        var log = new CollectingLogger<EngineWorker>();

        await RunUntilGivenUpAsync(store, new ComponentRegistry(), time, log);

        // Another call's RUNNING node: failing it would refuse that call's result. The log says the node was left.
        var state = await store.ReadAsync(tx => tx.States.GetAsync("n_poison"));
        Assert.Equal(NodeState.Running, state?.Name);
        Assert.Equal("v-other-call", state?.Version);
        Assert.Contains(log.Entries, e => e.Contains("not in a state to mark FAILED", StringComparison.Ordinal));
        Assert.Empty(await store.ReadAsync(tx => tx.Tasks.GetForRootAsync("p_poison")));
    }

    [Fact]
    public async Task RetryNode_AfterTheEngineGaveUpOnANode_RunsThePipelineToTheEnd()
    {
        using var db = new TempDatabase("poison-retry");
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        await using var store = db.OpenStore(time);
        var components = new ComponentRegistry().AddTestkit();
        var start = new EmptyStartEvent();
        start.Extend(new ServiceActivity("empty_node")).Extend(new EmptyEndEvent());
        var pipeline = PipelineBuilder.BuildTree(start);
        Assert.True((await EngineApi.RunPipelineAsync(new BambooEngine(store, components, time: time), pipeline)).Result);

        // The stored tree breaks under the run (a bad restore, say); a fresh engine has no parsed copy of it.
        var tree = TempDatabase.Text(db.Path, $"SELECT tree FROM runs WHERE root_id = '{pipeline.Id}'")!;
        SetTree(db.Path, pipeline.Id, "{ this is not a tree");
        var log = new CollectingLogger<EngineWorker>();
        await RunUntilGivenUpAsync(store, components, time, log);
        var engine = new BambooEngine(store, components, time: time);
        var failed = await store.ReadAsync(tx => tx.States.GetAsync(start.Id));
        Assert.Equal(NodeState.Failed, failed?.Name);

        // The operator mends the tree and retries the node: the run goes on from there.
        SetTree(db.Path, pipeline.Id, tree);
        var retried = await EngineApi.RetryNodeAsync(engine, start.Id);
        Assert.True(retried.Result, retried.Message);
        using var stop = new CancellationTokenSource();
        var workers = new EngineWorker(engine, new PipelineEngine(engine, NullLogger<PipelineEngine>.Instance), NullLogger<EngineWorker>.Instance).RunAsync(stop.Token);
        try
        {
            await WaitUntil.TrueAsync(async () =>
                (await store.ReadAsync(tx => tx.States.GetAsync(pipeline.Id)))?.Name == NodeState.Finished, TimeSpan.FromSeconds(30), "the retried run to finish");
        }
        finally
        {
            await stop.CancelAsync();
            await workers.WaitAsync(TimeSpan.FromSeconds(20));
        }

        Assert.Equal(1, (await store.ReadAsync(tx => tx.States.GetAsync(start.Id)))?.Retry);
    }

    /// <summary>Run p_poison, whose stored tree is not JSON, with a process at n_poison and its execute task due.</summary>
    private static Task<long> SeedPoisonedRunAsync(SqliteStore store, StateRecord? state, bool asleep) =>
        store.WriteAsync(async tx =>
        {
            await tx.Runs.InsertAsync(new RunRecord("p_poison", "{ this is not a tree", false, [], tx.Now), ["p_poison", "n_poison"]);
            if (state is not null)
            {
                await tx.States.InsertAsync(state with { CreatedTime = tx.Now, StartedTime = tx.Now });
            }

            var process = await tx.Processes.InsertAsync(new ProcessRecord(0, "p_poison", -1, "", "n_poison", ["p_poison"], asleep, false, "", false, -1, 0, tx.Now, 100, ""));
            return await tx.Tasks.EnqueueAsync(TaskRecord.Execute("p_poison", process, "n_poison"));
        });

    /// <summary>Runs a worker until it logs that it gave a task up; each poll moves the clock on a second, so the back-off passes at once.</summary>
    private static async Task RunUntilGivenUpAsync(SqliteStore store, ComponentRegistry components, FakeTimeProvider time, CollectingLogger<EngineWorker> log)
    {
        var engine = new BambooEngine(store, components, new EngineOptions { WorkerCount = 2 }, time);
        var sut = new EngineWorker(engine, new PipelineEngine(engine, NullLogger<PipelineEngine>.Instance), log);
        using var stop = new CancellationTokenSource();
        var workers = sut.RunAsync(stop.Token);
        try
        {
            await WaitUntil.TrueAsync(() =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return Task.FromResult(log.Entries.Any(e => e.Contains("dropped after", StringComparison.Ordinal)));
            }, TimeSpan.FromSeconds(30), "the failing task to be given up");
        }
        finally
        {
            await stop.CancelAsync();
            await workers.WaitAsync(TimeSpan.FromSeconds(20));
        }
    }

    private static void SetTree(string path, string rootId, string tree)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "UPDATE runs SET tree = $tree WHERE root_id = $root";
        command.Parameters.AddWithValue("$tree", tree);
        command.Parameters.AddWithValue("$root", rootId);
        Assert.Equal(1, command.ExecuteNonQuery());
    }
}
