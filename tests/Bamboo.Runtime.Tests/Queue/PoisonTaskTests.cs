using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Queue;

/// <summary>
/// A task whose step keeps failing (here: its run's stored tree is not JSON) is retried with back-off and dropped
/// after its last attempt, with an error that names it; it must never spin in a tight loop.
/// </summary>
public sealed class PoisonTaskTests
{
    [Fact]
    public async Task A_task_whose_step_always_fails_is_retried_with_back_off_then_dropped()
    {
        using var db = new TempDatabase("poison");
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
        await using var runtime = db.OpenRuntime(new EngineOptions { WorkerCount = 2 }, time);
        await runtime.TransactAsync(tx =>
        {
            Assert.Null(tx.InsertRun(new RunRecord("p_poison", "{ this is not a tree", false, [], tx.Now), ["p_poison", "n_poison"]));
            var process = tx.InsertProcess(new ProcessRecord(0, "p_poison", -1, "", "n_poison", ["p_poison"], true, false, "", false, -1, 0, tx.Now, 100, ""));
            return tx.Enqueue(new TaskRecord(0, TaskKind.Execute, process, "n_poison", null, null, null, tx.Now, null, null, 0));
        });

        var log = new CollectingLogger<EngineWorker>();
        using var stop = new CancellationTokenSource();
        var engine = new PipelineEngine(runtime, Microsoft.Extensions.Logging.Abstractions.NullLogger<PipelineEngine>.Instance);
        var workers = new EngineWorker(runtime, engine, log).RunAsync(stop.Token);
        try
        {
            await WaitUntil.TrueAsync(async () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                await Task.Delay(20);
                return log.Entries.Any(e => e.Contains("dropped after", StringComparison.Ordinal));
            }, TimeSpan.FromSeconds(30), "the failing task to be dropped");
        }
        finally
        {
            await stop.CancelAsync();
            await workers.WaitAsync(TimeSpan.FromSeconds(20));
        }

        var failures = log.Entries.Count(e => e.Contains("failed (attempt", StringComparison.Ordinal));
        Assert.True(failures == 5, $"expected 5 failed attempts, saw {failures}: {string.Join(" | ", log.Entries.Take(3))}");
        Assert.Null(await runtime.NextDueAtAsync());
    }
}
