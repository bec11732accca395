using Bamboo.Engine;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Queue;

/// <summary>
/// A task whose step keeps failing (here: its run's stored tree is not JSON) is retried with back-off and dropped
/// after its last attempt, with an error that names it; it must never spin in a tight loop.
/// </summary>
public sealed class PoisonTaskTests
{
    [Fact]
    public async Task RunAsync_TaskWhoseStepAlwaysFails_RetriesItWithBackOffThenDropsIt()
    {
        using var db = new TempDatabase("poison");
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        await using var store = db.OpenStore(time);
        await store.WriteAsync(async tx =>
        {
            await tx.Runs.InsertAsync(new RunRecord("p_poison", "{ this is not a tree", false, [], tx.Now), ["p_poison", "n_poison"]);
            var process = await tx.Processes.InsertAsync(new ProcessRecord(0, "p_poison", -1, "", "n_poison", ["p_poison"], true, false, "", false, -1, 0, tx.Now, 100, ""));
            return await tx.Tasks.EnqueueAsync(TaskRecord.Execute("p_poison", process, "n_poison"));
        });
        var engine = new BambooEngine(store, new ComponentRegistry(), new EngineOptions { WorkerCount = 2 }, time);
        var log = new CollectingLogger<EngineWorker>();
        var sut = new EngineWorker(engine, new PipelineEngine(engine, NullLogger<PipelineEngine>.Instance), log);
        using var stop = new CancellationTokenSource();

        var workers = sut.RunAsync(stop.Token);
        try
        {
            // Each poll moves the clock on a second, so the back-off (1 s, 2 s, ...) passes without real waiting.
            await WaitUntil.TrueAsync(() =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return Task.FromResult(log.Entries.Any(e => e.Contains("dropped after", StringComparison.Ordinal)));
            }, TimeSpan.FromSeconds(30), "the failing task to be dropped");
        }
        finally
        {
            await stop.CancelAsync();
            await workers.WaitAsync(TimeSpan.FromSeconds(20));
        }

        var failures = log.Entries.Count(e => e.Contains("failed (attempt", StringComparison.Ordinal));
        Assert.True(failures == 5, $"expected 5 failed attempts, saw {failures}: {string.Join(" | ", log.Entries.Take(3))}");
        Assert.Null(await store.NextDueInAsync(WorkFilter.Any));
        Assert.Empty(await store.ReadAsync(tx => tx.Tasks.GetForRootAsync("p_poison")));
    }
}
