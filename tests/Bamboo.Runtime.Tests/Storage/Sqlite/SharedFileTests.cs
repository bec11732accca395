using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Storage.Sqlite;

/// <summary>
/// Several processes on one store file (here: several stores, each with a writer of its own). BEGIN IMMEDIATE keeps
/// them consistent: a task goes to one of them, and the store's clock, kept in the file, never goes back.
/// </summary>
public sealed class SharedFileTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new("shared");
    private readonly FakeTimeProvider _firstTime = new(DateTimeOffset.UnixEpoch.AddDays(20000));
    private readonly FakeTimeProvider _secondTime = new(DateTimeOffset.UnixEpoch.AddDays(30000));
    private readonly IEngineStore _first;
    private readonly IEngineStore _second;

    public SharedFileTests()
    {
        _first = _db.OpenStore(_firstTime);
        _second = _db.OpenStore(_secondTime);
    }

    public async ValueTask DisposeAsync()
    {
        await ((IAsyncDisposable)_first).DisposeAsync();
        await ((IAsyncDisposable)_second).DisposeAsync();
        _db.Dispose();
    }

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
    public async Task ClaimAsync_TwoProcessesAtOnce_GiveEachTaskToExactlyOneOfThem()
    {
        await _first.WriteAsync(async tx =>
        {
            for (var i = 0; i < 200; i++)
            {
                await tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, $"n{i}"));
            }

            return 0;
        });

        var claims = await Task.WhenAll(Task.Run(() => ClaimAllAsync(_first, "a")), Task.Run(() => ClaimAllAsync(_second, "b")));

        Assert.Equal(200, claims[0].Count + claims[1].Count);
        Assert.Empty(claims[0].Intersect(claims[1]));
    }

    [Fact]
    public async Task NextDueInAsync_ProcessWhoseClockLags_CountsFromTheStoresClock()
    {
        await _first.WriteAsync(tx => tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, "n"), TimeSpan.FromMinutes(10)));
        Assert.Equal(TimeSpan.FromMinutes(10), await _second.NextDueInAsync(WorkFilter.Any));

        // The first process has seen 4 minutes pass and wrote; the second, idle, has seen none.
        _firstTime.Advance(TimeSpan.FromMinutes(4));
        await _first.WriteAsync(_ => ValueTask.FromResult(0));

        Assert.Equal(TimeSpan.FromMinutes(6), await _second.NextDueInAsync(WorkFilter.Any));
        _secondTime.Advance(TimeSpan.FromMinutes(6));
        Assert.NotNull(await _second.WriteAsync(tx => tx.Tasks.ClaimAsync("b", WorkFilter.Any)));
    }
}
