using System.Diagnostics;
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

    private SqliteRuntime OpenStore(TimeSpan lease) =>
        new(new SqliteRuntimeOptions { DatabasePath = Db }, new ComponentRegistry().AddTestkit(), new EngineOptions { WorkerCount = 4, TaskLease = lease });

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
        await using (var store = OpenStore(TimeSpan.FromSeconds(1)))
        {
            Assert.True((await EngineApi.RunPipelineAsync(store, sequential, cancellationToken: ct)).Result);
            Assert.True((await EngineApi.RunPipelineAsync(store, parallel, cancellationToken: ct)).Result);
        }

        var seqIds = NodeIds(sequential).ToList();
        var parIds = NodeIds(parallel).ToList();
        await using var observer = OpenStore(TimeSpan.FromSeconds(1));
        int Finished(IStepTransaction tx, IEnumerable<string> ids) => ids.Count(id => tx.GetState(id)?.Name == NodeState.Finished);

        // Act 1: a worker process runs until both pipelines are well under way, then dies without warning.
        using (var worker = StartWorkerProcess())
        {
            await WaitUntil.TrueAsync(
                () => observer.ReadAsync(tx => Finished(tx, seqIds) >= 50 && Finished(tx, parIds) >= 30, ct),
                TimeSpan.FromSeconds(60), "the worker process to make progress");
            worker.Kill(entireProcessTree: true);
            await worker.WaitForExitAsync(ct);
        }

        var atKill = await observer.ReadAsync(tx => (Finished(tx, seqIds), Finished(tx, parIds)), ct);
        Assert.True(atKill.Item1 < seqIds.Count && atKill.Item2 < parIds.Count, $"the run was not interrupted: {atKill}");

        // Act 2: a new process on the same file takes the work over once the dead process's leases lapse.
        await using var recovery = OpenStore(TimeSpan.FromSeconds(30));
        var engine = new PipelineEngine(recovery, NullLogger<PipelineEngine>.Instance);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var log = new CollectingLogger<EngineWorker>();
        var workers = new EngineWorker(recovery, engine, log).RunAsync(stop.Token);
        try
        {
            await WaitUntil.TrueAsync(
                () => recovery.ReadAsync(tx => tx.GetState(sequential.Id)?.Name == NodeState.Finished && tx.GetState(parallel.Id)?.Name == NodeState.Finished, ct),
                TimeSpan.FromSeconds(60), "both pipelines to finish after the crash");
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + "; worker log: " + string.Join(" | ", log.Entries.Take(5)), ex);
        }

        await WaitUntil.TrueAsync(async () => await recovery.NextDueAtAsync(ct) is null, TimeSpan.FromSeconds(10), "the queue to drain");
        await stop.CancelAsync();
        await workers;

        // Assert: every node FINISHED exactly once, at loop 1, no retry, no history row, nothing left in the queue.
        var report = await recovery.ReadAsync(tx => seqIds.Concat(parIds).Select(id =>
        {
            var s = tx.GetState(id);
            return (Id: id, State: s?.Name, Loop: s?.Loop, Retry: s?.Retry, Histories: tx.GetHistories(id).Count,
                OutLoop: tx.GetExecutionData(id)?.Outputs["_loop"]?.GetValue<int>());
        }).ToList(), ct);
        Assert.All(report, r => Assert.Equal(NodeState.Finished, r.State));
        Assert.All(report, r => Assert.Equal(1, r.Loop));
        Assert.All(report, r => Assert.Equal(0, r.Retry));
        Assert.All(report, r => Assert.Equal(0, r.Histories));
        Assert.All(report.Where(r => r.OutLoop is not null), r => Assert.Equal(1, r.OutLoop));
        Assert.Equal(1200, report.Count(r => r.OutLoop is not null));
        Assert.Null(await recovery.NextDueAtAsync(ct));
    }
}
