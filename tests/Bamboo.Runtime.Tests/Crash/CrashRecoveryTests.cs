using System.Diagnostics;
using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Runtime.Tests.Crash;

/// <summary>
/// Kills a worker process with SIGKILL in the middle of a 1000-node pipeline and a 100-branch parallel pipeline,
/// then lets a new process on the same file finish both. Slow (a few seconds): it starts real processes.
/// </summary>
[Trait("Category", "Slow")]
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly TempDatabase _temp = new("crash");

    private string Db => _temp.Path;

    public void Dispose()
    {
        if (Environment.GetEnvironmentVariable("BAMBOO_KEEP_CRASH_DB") is not null)
        {
            Console.Error.WriteLine($"kept {Db}");
            return;
        }

        _temp.Dispose();
    }

    private static ServiceActivity Delay(int ms)
    {
        var act = new ServiceActivity("delay");
        act.Inputs["ms"] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, ms);
        return act;
    }

    // start -> 1000 x delay(2 ms) -> end
    private static Pipeline Sequential()
    {
        var start = new EmptyStartEvent();
        Element tail = start;
        for (var i = 0; i < 1000; i++)
        {
            tail = tail.Extend(Delay(2));
        }

        tail.Extend(new EmptyEndEvent());
        return PipelineBuilder.BuildTree(start);
    }

    // start -> pg -> 100 x (delay(400 ms) -> delay(400 ms)) -> cg -> end: the branches run concurrently
    private static Pipeline Parallel()
    {
        var start = new EmptyStartEvent();
        var pg = start.Extend(new ParallelGateway());
        for (var b = 0; b < 100; b++)
        {
            pg.Connect(Delay(400));
            pg.Outgoing[^1].Extend(Delay(400));
        }

        pg.Converge(new ConvergeGateway()).Extend(new EmptyEndEvent());
        return PipelineBuilder.BuildTree(start);
    }

    private static IEnumerable<string> NodeIds(Pipeline p) =>
        p.Nodes.Select(n => n.Id).Concat(p.Activities.Values.OfType<SubProcessNode>().SelectMany(s => NodeIds(s.Pipeline)));

    private SqliteStore OpenStore() => new(new SqliteStoreOptions { DatabasePath = Db });

    private static BambooEngine EngineOn(SqliteStore store, TimeSpan lease) =>
        new(store, new ComponentRegistry().AddTestkit(), new EngineOptions { WorkerCount = 4, TaskLease = lease });

    private static async Task<int> FinishedAsync(IStoreTransaction tx, IReadOnlyList<string> ids) =>
        (await tx.States.GetManyAsync(ids)).Count(s => s.Name == NodeState.Finished);

    private Process StartWorkerProcess()
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "bamboo.dll");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { cli, "worker", "--db", Db, "--workers", "2", "--lease-seconds", "1" })
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    [Fact]
    public async Task KilledWorker_MidRun_NewProcessFinishesEverythingOnce()
    {
        var sequential = Sequential();
        var parallel = Parallel();
        var ct = TestContext.Current.CancellationToken;
        await using (var store = OpenStore())
        {
            var starter = EngineOn(store, TimeSpan.FromSeconds(1));
            Assert.True((await EngineApi.RunPipelineAsync(starter, sequential, cancellationToken: ct)).Result);
            Assert.True((await EngineApi.RunPipelineAsync(starter, parallel, cancellationToken: ct)).Result);
        }

        var seqIds = NodeIds(sequential).ToList();
        var parIds = NodeIds(parallel).ToList();
        await using var observer = OpenStore();

        // Act 1: a worker process runs until both pipelines are well under way, then dies without warning.
        using (var worker = StartWorkerProcess())
        {
            await WaitUntil.TrueAsync(
                () => observer.ReadAsync(async tx => await FinishedAsync(tx, seqIds) >= 50 && await FinishedAsync(tx, parIds) >= 30, ct),
                TimeSpan.FromSeconds(60), "the worker process to make progress");
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync(ct);
        }

        var atKill = await observer.ReadAsync(async tx => (await FinishedAsync(tx, seqIds), await FinishedAsync(tx, parIds)), ct);
        Assert.True(atKill.Item1 < seqIds.Count && atKill.Item2 < parIds.Count, $"the run was not interrupted: {atKill}");

        // Act 2: a new process on the same file takes the work over once the dead worker's beat has stood still for
        // the lease it registered with (1 s), whatever lease the new process keeps for itself.
        await using var recovery = OpenStore();
        var engine = EngineOn(recovery, TimeSpan.FromSeconds(30));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var log = new CollectingLogger<EngineWorker>();
        var workers = new EngineWorker(engine, new PipelineEngine(engine, NullLogger<PipelineEngine>.Instance), log).RunAsync(stop.Token);
        try
        {
            await WaitUntil.TrueAsync(
                () => recovery.ReadAsync(async tx => await FinishedAsync(tx, [sequential.Id, parallel.Id]) == 2, ct),
                TimeSpan.FromSeconds(60), "both pipelines to finish after the crash");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "; worker log: " + string.Join(" | ", log.Entries.Take(5)), ex);
        }

        await WaitUntil.TrueAsync(() => Task.FromResult(TempDatabase.Count(Db, "SELECT COUNT(*) FROM tasks") == 0), TimeSpan.FromSeconds(10), "the queue to drain");
        await stop.CancelAsync();
        await workers;

        // Assert: every node FINISHED exactly once, at loop 1, no retry, no history row, nothing left in the queue.
        var report = await recovery.ReadAsync(async tx =>
        {
            var rows = new List<(string Id, string? State, int? Loop, int? Retry, int Histories, int? OutLoop)>();
            foreach (var id in seqIds.Concat(parIds))
            {
                var s = await tx.States.GetAsync(id);
                rows.Add((id, s?.Name, s?.Loop, s?.Retry, (await tx.Schedules.GetHistoriesAsync(id)).Count,
                    (await tx.Data.GetExecutionDataAsync(id))?.Outputs["_loop"]?.GetValue<int>()));
            }

            return rows;
        }, ct);
        Assert.All(report, r => Assert.Equal(NodeState.Finished, r.State));
        Assert.All(report, r => Assert.Equal(1, r.Loop));
        Assert.All(report, r => Assert.Equal(0, r.Retry));
        Assert.All(report, r => Assert.Equal(0, r.Histories));
        Assert.All(report.Where(r => r.OutLoop is not null), r => Assert.Equal(1, r.OutLoop));
        Assert.Equal(1200, report.Count(r => r.OutLoop is not null));
        Assert.Equal(0, TempDatabase.Count(Db, "SELECT COUNT(*) FROM tasks"));
    }
}
