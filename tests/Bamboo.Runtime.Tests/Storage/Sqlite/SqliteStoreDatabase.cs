using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage.Sqlite;

/// <summary>A temp SQLite file per test; its files (with the WAL) go away on dispose.</summary>
internal sealed class SqliteStoreDatabase(string prefix) : IStoreDatabase
{
    private readonly TempDatabase _file = new(prefix);

    public string Path => _file.Path;

    public IEngineStore OpenStore(TimeProvider time) => _file.OpenStore(time);

    public long Count(string sql) => TempDatabase.Count(_file.Path, sql);

    public void Dispose() => _file.Dispose();
}
