using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Relational;

/// <summary>
/// The engine's store over a relational database: the stores' SQL is written once here, and a dialect's subclass
/// supplies sessions (how transactions are opened, committed and shared) and the few SQL fragments that differ.
/// </summary>
internal abstract class RelationalStore : IEngineStore
{
    protected RelationalStore() => Workers = new WorkerRegistry(this);

    public IWorkerRegistry Workers { get; }

    /// <summary>Runs work in a write transaction, with the stores and the raw session.</summary>
    internal abstract Task<T> WriteSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken);

    /// <summary>
    /// Runs work in a write transaction that carries no other caller's work: the worker registry's beats and reaps,
    /// which must commit on time, not behind other steps (or the row locks those wait for). By default, as any write.
    /// </summary>
    internal virtual Task<T> WriteAloneSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken) =>
        WriteSqlAsync(work, cancellationToken);

    /// <summary>Runs work in a read transaction.</summary>
    internal abstract Task<T> ReadSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken);

    public Task<T> WriteAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return WriteSqlAsync(tx => work(tx), cancellationToken);
    }

    public Task<T> ReadAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return ReadSqlAsync(tx => work(tx), cancellationToken);
    }

    public Task<TimeSpan?> NextDueInAsync(WorkFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        return ReadSqlAsync(async tx =>
        {
            var due = (await tx.Session.QueryAsync(tx.Tasks.NextDueSql, r => r.IsNull(0) ? (long?)null : r.GetInt64(0), tx.Tasks.FilterArgs(filter)).ConfigureAwait(false))[0];
            return due is long at ? TimeSpan.FromMilliseconds(Math.Max(0, at - tx.Session.Clock)) : (TimeSpan?)null;
        }, cancellationToken);
    }

    public abstract Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}
