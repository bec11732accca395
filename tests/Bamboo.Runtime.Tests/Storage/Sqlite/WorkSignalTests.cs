using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;

namespace Bamboo.Runtime.Tests.Storage.Sqlite;

/// <summary>
/// Idle worker loops of this process are woken by committed tasks: one loop per task (up to the wake limit), and a
/// task committed before a loop starts waiting is not missed.
/// </summary>
public sealed class WorkSignalTests
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    private static Task EnqueueAsync(SqliteStore store, int tasks) => store.WriteAsync(async tx =>
    {
        for (var i = 0; i < tasks; i++)
        {
            await tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, "n"));
        }

        return 0;
    });

    [Fact]
    public async Task WaitForWorkAsync_TaskCommittedBeforeTheWaitBegins_EndsTheWait()
    {
        using var db = new TempDatabase("signal");
        await using var sut = db.OpenStore();
        await EnqueueAsync(sut, 1);

        await sut.WaitForWorkAsync(Long).WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task WaitForWorkAsync_OneTask_WakesOneOfTheWaitingLoops()
    {
        using var db = new TempDatabase("signal");
        await using var sut = new SqliteStore(new SqliteStoreOptions { DatabasePath = db.Path, WakeLimit = 3 });
        using var stop = new CancellationTokenSource();
        var waiting = Enumerable.Range(0, 3).Select(_ => sut.WaitForWorkAsync(Long, stop.Token)).ToList();

        await EnqueueAsync(sut, 1);
        await Task.WhenAny(waiting).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, waiting.Count(w => w.IsCompleted));

        await EnqueueAsync(sut, 2);
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
    }
}
