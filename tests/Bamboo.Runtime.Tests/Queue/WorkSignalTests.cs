using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;

namespace Bamboo.Runtime.Tests.Queue;

/// <summary>Idle worker loops are woken by committed tasks: one loop per task, and never too late.</summary>
public sealed class WorkSignalTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_task_committed_before_the_wait_begins_still_wakes_the_loop()
    {
        using var db = new TempDatabase("signal");
        await using var runtime = db.OpenRuntime();
        await EnqueueAsync(runtime, 1);

        await runtime.WaitForWorkAsync(Long).WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task One_task_wakes_one_of_the_waiting_loops()
    {
        using var db = new TempDatabase("signal");
        await using var runtime = db.OpenRuntime(new EngineOptions { WorkerCount = 3 });
        using var stop = new CancellationTokenSource();
        var waiting = Enumerable.Range(0, 3).Select(_ => runtime.WaitForWorkAsync(Long, stop.Token)).ToList();

        await EnqueueAsync(runtime, 1);
        await Task.WhenAny(waiting).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, waiting.Count(w => w.IsCompleted));

        await EnqueueAsync(runtime, 2);
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
    }

    private static Task EnqueueAsync(SqliteRuntime runtime, int tasks) => runtime.TransactAsync(tx =>
    {
        for (var i = 0; i < tasks; i++)
        {
            tx.Enqueue(new TaskRecord(0, TaskKind.Execute, 1, "n", null, null, null, tx.Now, null, null, 0));
        }

        return 0;
    });
}
