using Bamboo.Runtime.Relational;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode holding states, data, context, the task queue and the worker
/// registry. SQLite has one writer, so every write runs on one connection behind an async gate, and callers that
/// arrive together share a commit (SqliteStore.GroupCommit.cs); BEGIN IMMEDIATE keeps other processes on the same
/// file consistent.
/// </summary>
public sealed partial class SqliteStore : Engine.Runtime.IEngineStore, IAsyncDisposable, IDisposable
{
    private readonly RelationalStoreAdapter _relational;
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteSession _session;
    private readonly RelationalTransaction _tx;
    private readonly WalCheckpointer _checkpointer;

    // Counts committed tasks that no idle loop has been woken for yet: one loop per new task (up to WakeLimit), so a
    // single task does not wake every loop, and a task committed just before a loop starts waiting is not missed.
    private readonly SemaphoreSlim _work;
    private readonly int _wakeLimit;

    /// <summary>Opens the store at <see cref="SqliteStoreOptions.DatabasePath"/>, creating it unless read-only.</summary>
    /// <exception cref="Engine.Exceptions.StoreOpenException">
    /// The path is not a Bamboo store, is missing where it may not be created, or holds a schema this build cannot use.
    /// </exception>
    public SqliteStore(SqliteStoreOptions options, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var clock = time ?? TimeProvider.System;
        _wakeLimit = Math.Max(1, options.WakeLimit);
        _work = new SemaphoreSlim(0, _wakeLimit);
        DatabasePath = StoreFile.FullPath(options.DatabasePath);
        var connectionString = StoreFile.ConnectionString(DatabasePath, options.ReadOnly);
        _connection = StoreFile.Open(DatabasePath, connectionString, options);
        _session = new SqliteSession(_connection, new StoreClock(clock));
        _tx = new RelationalTransaction(_session, SqliteDialect.Instance, clock);
        _checkpointer = new WalCheckpointer(connectionString);
        _relational = new RelationalStoreAdapter(this);
    }

    /// <summary>The database file, as a full path.</summary>
    public string DatabasePath { get; }

    public Engine.Runtime.IWorkerRegistry Workers => _relational.Workers;

    public Task<T> WriteAsync<T>(Func<Engine.Runtime.IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default) =>
        _relational.WriteAsync(work, cancellationToken);

    public Task<T> ReadAsync<T>(Func<Engine.Runtime.IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default) =>
        _relational.ReadAsync(work, cancellationToken);

    public Task<TimeSpan?> NextDueInAsync(Engine.Runtime.WorkFilter filter, CancellationToken cancellationToken = default) =>
        _relational.NextDueInAsync(filter, cancellationToken);

    /// <summary>A setting of the writer's connection (tests check what the store was opened with).</summary>
    internal long WriterPragma(string name)
    {
        _gate.Wait();
        try
        {
            return _connection.ScalarInt64($"PRAGMA {name};");
        }
        finally
        {
            _gate.Release();
        }
    }

    internal async Task<T> ReadSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _session.Begin(write: false);
            _tx.Begin();
            try
            {
                return await work(_tx).ConfigureAwait(false);
            }
            finally
            {
                _session.Rollback();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var timer = new CancellationTokenSource(timeout);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            // A cancelled wait takes no count, so a wake-up is never spent on a loop that timed out.
            await _work.WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Idle wake-up: work may come from another process on the same file.
        }
    }

    private void WakeLoops(int tasks)
    {
        var wake = Math.Min(tasks, _wakeLimit - _work.CurrentCount);
        if (wake <= 0)
        {
            return;
        }

        try
        {
            _work.Release(wake);
        }
        catch (SemaphoreFullException)
        {
            // Enough wake-ups are pending already.
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        // The checkpointer's connection closes first, so closing the writer's (the last one) checkpoints the rest
        // of the log and removes it.
        await _checkpointer.DisposeAsync().ConfigureAwait(false);
        _tx.Dispose();
        _session.Dispose();
        _connection.Dispose();
        _gate.Dispose();
        _work.Dispose();
    }

    /// <summary>The relational layer's view of this store: its transactions are this store's sessions.</summary>
    private sealed class RelationalStoreAdapter(SqliteStore store) : RelationalStore
    {
        internal override Task<T> WriteSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken) =>
            store.WriteSqlAsync(work, cancellationToken);

        internal override Task<T> ReadSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken) =>
            store.ReadSqlAsync(work, cancellationToken);

        public override Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            store.WaitForWorkAsync(timeout, cancellationToken);
    }
}
