using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// One test's own database of the dialect under test: empty when made, gone when disposed. The storage suites open
/// their stores through it, so a dialect runs every suite by supplying one of these.
/// </summary>
public interface IStoreDatabase : IAsyncDisposable
{
    /// <summary>Opens a store on this database; called again after a store was closed, as a restarted process would.</summary>
    Task<IEngineStore> OpenStoreAsync(TimeProvider time);

    /// <summary>
    /// The single number a query returns (a COUNT(*)), read on a connection of its own, as another process would see
    /// the database. The SQL is plain enough for every dialect.
    /// </summary>
    Task<long> CountAsync(string sql);
}
