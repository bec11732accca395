using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

/// <summary>
/// Several processes on one database (here: several stores, each with a pool of its own). Claims skip the rows other
/// claims have locked, so a task goes to exactly one of them; a commit that makes a task due notifies every process.
/// </summary>
public sealed class SharedDatabaseTests : IAsyncDisposable
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(5);

    private readonly PostgresStoreDatabase _db = new("shared", databaseClock: true);
    private readonly List<IEngineStore> _stores = [];

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await ((IAsyncDisposable)store).DisposeAsync();
        }

        await _db.DisposeAsync();
    }

    private async Task<IEngineStore> OpenAsync()
    {
        var store = await _db.OpenStoreAsync(TimeProvider.System);
        _stores.Add(store);
        return store;
    }

    private static Task EnqueueAsync(IEngineStore store, int tasks) => store.WriteAsync(async tx =>
    {
        for (var i = 0; i < tasks; i++)
        {
            await tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, $"n{i}"));
        }

        return 0;
    });

    private static async Task<List<long>> ClaimAllAsync(IEngineStore store, string owner)
    {
        var ids = new List<long>();
        while (await store.WriteAsync(tx => tx.Tasks.ClaimAsync(owner, WorkFilter.Any)) is { } task)
        {
            ids.Add(task.Id);
        }

        return ids;
    }

    [Fact]
    public async Task DisposeAsync_StoresClosedRightAfterTheyOpen_NeverWaitOnTheirListener()
    {
        await (await OpenAsync()).WriteAsync(tx => tx.Tasks.ClaimAsync("warm", WorkFilter.Any));

        // A close that races the listener's wait left DisposeAsync waiting forever: CI hung on it once, and these 240
        // opens and closes hung it in each of two runs before the fix.
        var closing = Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 60; i++)
            {
                await using var store = (PostgresStore)await _db.OpenStoreAsync(TimeProvider.System);
            }
        })));

        await closing.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task ClaimAsync_SeveralProcessesWithSeveralLoopsEach_GiveEachTaskToExactlyOneLoop()
    {
        var stores = new List<IEngineStore>();
        for (var i = 0; i < 3; i++)
        {
            stores.Add(await OpenAsync());
        }

        await EnqueueAsync(stores[0], 300);

        var claims = await Task.WhenAll(stores.SelectMany((store, s) => Enumerable.Range(0, 4).Select(loop => Task.Run(() => ClaimAllAsync(store, $"s{s}-l{loop}")))));

        var claimed = claims.SelectMany(c => c).ToList();
        Assert.Equal(300, claimed.Count);
        Assert.Equal(300, claimed.Distinct().Count());
        Assert.Equal(300L, await _db.CountAsync("SELECT COUNT(*) FROM tasks WHERE lease_owner IS NOT NULL AND attempts = 1"));
    }

    [Fact]
    public async Task WaitForWorkAsync_TaskCommittedByAnotherProcess_EndsTheWait()
    {
        // The waiter opens last: it listens from the moment it is open, not some time later.
        var writer = await OpenAsync();
        var waiter = await OpenAsync();
        using var stop = new CancellationTokenSource();
        var waiting = waiter.WaitForWorkAsync(Long, stop.Token);

        await EnqueueAsync(writer, 1);

        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Single(await ClaimAllAsync(waiter, "a"));
    }

    /// <summary>Another process (a store of its own on this schema) with three worker loops waiting for work.</summary>
    private async Task<List<Task>> ThreeWaitingLoopsAsync(CancellationToken stop)
    {
        var options = await _db.OptionsAsync();
        options.WakeLimit = 3;
        // Opened whatever the loops' token says: the test stops them, the class disposes the store.
        var waiter = await PostgresStore.OpenAsync(options, cancellationToken: CancellationToken.None);
        _stores.Add(waiter);
        return [.. Enumerable.Range(0, 3).Select(_ => waiter.WaitForWorkAsync(Long, stop))];
    }

    [Fact]
    public async Task WaitForWorkAsync_OneTaskCommittedByAnotherProcess_WakesOneOfTheWaitingLoops()
    {
        var writer = await OpenAsync();
        using var stop = new CancellationTokenSource();
        var waiting = await ThreeWaitingLoopsAsync(stop.Token);

        await EnqueueAsync(writer, 1);
        await Task.WhenAny(waiting).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, waiting.Count(w => w.IsCompleted));

        await EnqueueAsync(writer, 2);
        await Task.WhenAll(waiting).WaitAsync(TimeSpan.FromSeconds(20));
        await stop.CancelAsync();
    }

    [Fact]
    public async Task WaitForWorkAsync_TasksCommittedInAnotherSchema_WakeNoLoopOfThisOne()
    {
        await using var elsewhere = new PostgresStoreDatabase("elsewhere", databaseClock: true);
        var other = await elsewhere.OpenStoreAsync(TimeProvider.System);
        await using var otherLifetime = (IAsyncDisposable)other;
        var writer = await OpenAsync();
        using var stop = new CancellationTokenSource();
        var waiting = await ThreeWaitingLoopsAsync(stop.Token);

        // The other schema's notification reaches the listener before this schema's one (commit order): had it woken
        // loops, all three would have ended by the time the one task here ends one.
        await EnqueueAsync(other, 3);
        await EnqueueAsync(writer, 1);
        await Task.WhenAny(waiting).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(1, waiting.Count(w => w.IsCompleted));
        await stop.CancelAsync();
    }

    [Theory]
    [InlineData(null, "bamboo_work")]
    [InlineData("", "bamboo_work")]
    [InlineData("tenant_a", "bamboo_work:tenant_a")]
    public void ChannelOf_SearchPath_NamesOneChannelPerSchema(string? searchPath, string channel) =>
        Assert.Equal(channel, PostgresStore.ChannelOf(searchPath));

    [Fact]
    public void ChannelOf_LongSearchPath_FitsPostgreSQLs63Bytes() =>
        Assert.Equal(63, System.Text.Encoding.UTF8.GetByteCount(PostgresStore.ChannelOf(new string('s', 100))));

    [Fact]
    public void ChannelOf_LongNonAsciiSearchPath_CutBetweenCharacters()
    {
        var channel = PostgresStore.ChannelOf(string.Concat(Enumerable.Repeat("\U0001F600", 30)));

        Assert.True(System.Text.Encoding.UTF8.GetByteCount(channel) <= 63);
        Assert.False(char.IsHighSurrogate(channel[^1]), "the channel ends in half a surrogate pair");
        Assert.EndsWith("\U0001F600", channel, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForWorkAsync_TasksHandedBackByAnotherProcess_EndsTheWait()
    {
        var waiter = await OpenAsync();
        var leaving = await OpenAsync();
        await leaving.Workers.RegisterAsync("b", TimeSpan.FromSeconds(30));
        await leaving.WriteAsync(tx => tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, "n") with { LeaseOwner = "b" }));
        var waiting = waiter.WaitForWorkAsync(Long);

        await leaving.Workers.HandBackAsync("b");

        await waiting.WaitAsync(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task ReadAsync_AnotherProcessCommitsDuringTheRead_SeesOneSnapshotThroughout()
    {
        var reader = await OpenAsync();
        var writer = await OpenAsync();
        await EnqueueAsync(writer, 1);

        var (before, after) = await reader.ReadAsync(async tx =>
        {
            var first = await tx.Tasks.GetForRootAsync("root");
            await EnqueueAsync(writer, 1);
            return (first.Count, (await tx.Tasks.GetForRootAsync("root")).Count);
        });

        Assert.Equal((1, 1), (before, after));
        Assert.Equal(2L, await _db.CountAsync("SELECT COUNT(*) FROM tasks"));
    }
}
