using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// What every storage suite shares: a store of the dialect under test, on a database of its own (one per test, so
/// tests run in parallel), opened with a fake clock; and builders for the records the tests write. A dialect runs a
/// suite by subclassing it and saying how to make a database (<see cref="CreateDatabase"/>).
/// </summary>
public abstract class StoreTests : IAsyncLifetime
{
    private IStoreDatabase? _database;
    private IEngineStore? _sut;

    /// <summary>The clock of the store: tests move it with <see cref="FakeTimeProvider.Advance"/>.</summary>
    protected FakeTimeProvider Time { get; } = new(DateTimeOffset.UnixEpoch.AddDays(20000));

    /// <summary>The store under test.</summary>
    protected IEngineStore Sut => _sut ?? throw new InvalidOperationException("the store is opened by InitializeAsync");

    protected IStoreDatabase Database => _database ?? throw new InvalidOperationException("the database is made by InitializeAsync");

    /// <summary>A new, empty database for one test, of the dialect the subclass runs the suite on.</summary>
    protected abstract IStoreDatabase CreateDatabase();

    /// <summary>The clock the store is opened with; <see cref="Time"/> unless a suite needs one it can steer otherwise.</summary>
    protected virtual TimeProvider StoreTime => Time;

    public virtual async ValueTask InitializeAsync()
    {
        _database = CreateDatabase();
        _sut = await _database.OpenStoreAsync(StoreTime);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseStoreAsync();
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the store and opens another on the same database, as a process that restarted would.</summary>
    protected async Task ReopenAsync(TimeProvider time)
    {
        await CloseStoreAsync();
        _sut = await Database.OpenStoreAsync(time);
    }

    private async Task CloseStoreAsync()
    {
        switch (_sut)
        {
            case IAsyncDisposable store:
                await store.DisposeAsync();
                break;
            case IDisposable store:
                store.Dispose();
                break;
        }

        _sut = null;
    }

    /// <summary>Runs work that returns nothing in one write transaction.</summary>
    protected Task WriteAsync(Func<IStoreTransaction, ValueTask> work) => Sut.WriteAsync(async tx =>
    {
        await work(tx);
        return 0;
    });

    protected static StateRecord State(string nodeId, string version = "v1", string name = "FINISHED", string parentId = "root", string rootId = "root") =>
        new(nodeId, rootId, parentId, name, version, 1, 1, 0, false, false, 1, 1, 1);

    protected static ProcessRecord Process(string rootId, string nodeId, long parentId = -1, bool asleep = false, bool suspended = false, string suspendedBy = "", bool dead = false, int needAck = -1) =>
        new(0, rootId, parentId, "", nodeId, [rootId], asleep, suspended, suspendedBy, dead, needAck, 0, 1, 100, "");

    protected static RunRecord Run(string rootId) => new(rootId, "{}", false, [], 1);
}
