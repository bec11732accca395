using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage.Sqlite;

/// <summary>A temp SQLite file per test; its files (with the WAL) go away on dispose.</summary>
internal sealed class SqliteStoreDatabase(string prefix) : IStoreDatabase
{
    private readonly TempDatabase _file = new(prefix);

    public string Path => _file.Path;

    public Task<IEngineStore> OpenStoreAsync(TimeProvider time) => Task.FromResult<IEngineStore>(_file.OpenStore(time));

    public Task<long> CountAsync(string sql) => Task.FromResult(TempDatabase.Count(_file.Path, sql));

    public ValueTask DisposeAsync()
    {
        _file.Dispose();
        return ValueTask.CompletedTask;
    }
}
