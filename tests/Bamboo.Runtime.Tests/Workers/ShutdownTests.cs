using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Tests.Probes;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>A worker that stops lets work in flight finish within the grace period, then hands the rest back at once.</summary>
[Trait("Category", "Slow")]
public sealed class ShutdownTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-shutdown-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "store.db");

    private string Log => Path.Combine(_dir, "executions");

    private static ComponentRegistry Probes() => new ComponentRegistry().AddComponent<ProbeService>("probe");

    private int Executions(string nodeId) => new ProbeLog(Log).Count(nodeId);

    [Fact]
    public async Task StopWorkers_ServiceFinishesWithinGrace_NothingHandedBackNothingRunsTwice()
    {
        var options = new EngineOptions { ShutdownGrace = TimeSpan.FromSeconds(20) };
        var slow = Trees.Probe(("log", Log), ("block_ms", 500));
        var pipeline = Trees.Sequence(slow, Trees.Probe(("log", Log)));
        await using var first = new EngineHarness(Probes(), databasePath: Db, options: options);
        await first.StartAsync(pipeline);
        await WaitUntil.TrueAsync(() => Task.FromResult(Executions(slow.Id) == 1), TimeSpan.FromSeconds(10), "the service to start");

        var exit = await first.StopWorkersAsync();

        // The slow service finished inside the grace period; its result was applied and the next node queued.
        Assert.Equal(0, exit!.Abandoned);
        Assert.Equal(1, Executions(slow.Id));
        await using var second = new EngineHarness(Probes(), databasePath: Db);
        await second.WaitStateAsync(pipeline.Id, NodeState.Finished);
        Assert.Equal(1, Executions(slow.Id));
    }

    [Fact]
    public async Task StopWorkers_ServiceOutlastsGrace_HandedBackAndTakenOverAtOnce()
    {
        var options = new EngineOptions { ShutdownGrace = TimeSpan.FromMilliseconds(200), TaskLease = TimeSpan.FromSeconds(30) };
        var hung = Trees.Probe(("log", Log), ("gate", Path.Combine(_dir, "never")));
        var pipeline = Trees.Sequence(hung);
        await using var first = new EngineHarness(Probes(), databasePath: Db, options: options);
        await first.StartAsync(pipeline);
        await first.WaitStateAsync(hung.Id, NodeState.Running);
        await WaitUntil.TrueAsync(() => Task.FromResult(Executions(hung.Id) == 1), TimeSpan.FromSeconds(10), "the service to start");

        var exit = await first.StopWorkersAsync();

        Assert.Equal(1, exit!.TasksHandedBack);
        Assert.Equal(1, exit.RunningNodes);
        Assert.Equal(1, exit.Abandoned);
        var task = Assert.Single(await first.Store.ReadAsync(tx => tx.Tasks.GetForRootAsync(pipeline.Id)));
        Assert.Null(task.LeaseOwner);

        // Without a hand-back the next worker would wait 30 s for the first one's lease; it resumes the recover point now.
        await File.WriteAllTextAsync(Path.Combine(_dir, "never"), "");
        await using var second = new EngineHarness(Probes(), databasePath: Db, options: options);
        await second.WaitStateAsync(pipeline.Id, NodeState.Finished, seconds: 5);
        Assert.Equal(2, Executions(hung.Id));
    }

    // start → pg → 3 × [probe(block 1.5 s) → probe] → cg → end, run by a worker process that gets SIGTERM mid-way
    [Fact]
    public async Task Sigterm_WorkerProcessWithServicesInFlight_NextWorkerContinuesWithinASecondNothingRunsTwice()
    {
        var blocks = Enumerable.Range(0, 3).Select(_ => (IReadOnlyList<Bamboo.Engine.Building.Element>)[Trees.Probe(("log", Log), ("block_ms", 1500)), Trees.Probe(("log", Log))]).ToList();
        var pipeline = Trees.Parallel(blocks);
        using var worker = CliProcess.Start("worker", "--db", Db);
        await using var next = new EngineHarness(Probes(), databasePath: Db, startWorkers: false);
        await next.StartAsync(pipeline);
        await WaitUntil.TrueAsync(() => Task.FromResult(blocks.All(b => Executions(b[0].Id) == 1)), TimeSpan.FromSeconds(30), "the worker process to start the three blocking services");

        // The second worker is up before the first one stops; it cannot take the tasks the first one holds.
        await using var second = new EngineHarness(Probes(), databasePath: Db);
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", worker.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        Assert.Equal(0, await worker.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains("continue with", worker.Output, StringComparison.Ordinal);
        await WaitUntil.TrueAsync(() => Task.FromResult(blocks.All(b => Executions(b[1].Id) == 1)), TimeSpan.FromSeconds(1), "the second worker to go on within a second");
        await second.WaitStateAsync(pipeline.Id, NodeState.Finished);

        // The services in flight finished inside the grace period and were applied; the worker started no new ones
        // once told to stop, and handed their RUNNING nodes back: nothing ran twice.
        Assert.All(blocks, b => Assert.Equal(1, Executions(b[0].Id)));
        Assert.All(blocks, b => Assert.Equal(1, Executions(b[1].Id)));
    }
}
