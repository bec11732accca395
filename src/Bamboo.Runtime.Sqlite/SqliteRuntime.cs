using Bamboo.Engine.Components;
using Bamboo.Engine.Runtime;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>
/// The embedded runtime: one SQLite file in WAL mode holding states, data, context and the task queue.
/// SQLite has one writer, so every transaction runs on one connection behind an async gate; BEGIN IMMEDIATE
/// keeps other processes on the same file consistent.
/// </summary>
public sealed class SqliteRuntime : IEngineRuntime, IAsyncDisposable, IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteStepTransaction _tx;
    private readonly WalCheckpointer _checkpointer;
    private TaskCompletionSource _workSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public SqliteRuntime(SqliteRuntimeOptions options, ComponentRegistry components, EngineOptions? engineOptions = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Components = components;
        Options = engineOptions ?? new EngineOptions();
        Time = time ?? TimeProvider.System;
        var directory = Path.GetDirectoryName(Path.GetFullPath(options.DatabasePath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.DatabasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            DefaultTimeout = 30,
        }.ToString();
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        // Small pages: each commit writes every touched page to the WAL, and a step touches a few rows in a few
        // b-trees, so 1 KiB pages roughly halve the bytes per commit. page_size only applies to a new file.
        Execute("PRAGMA page_size=1024; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF;");
        Execute($"PRAGMA wal_autocheckpoint={WalCheckpointer.WalLimitPages};");
        ApplySchema();
        _tx = new SqliteStepTransaction(_connection, Time);
        _checkpointer = new WalCheckpointer(connectionString);
    }

    public ComponentRegistry Components { get; }

    public TimeProvider Time { get; }

    public EngineOptions Options { get; }

    private void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private void ApplySchema()
    {
        var assembly = typeof(SqliteRuntime).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(".sql", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            Execute("BEGIN IMMEDIATE; " + reader.ReadToEnd() + " COMMIT;");
        }
    }

    public async Task<T> TransactAsync<T>(Func<IStepTransaction, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        var enqueued = false;
        try
        {
            _tx.Begin(write: true);
            try
            {
                var result = work(_tx);
                enqueued = _tx.Enqueued;
                _tx.Commit();
                _checkpointer.Committed();
                return result;
            }
            catch
            {
                _tx.Rollback();
                throw;
            }
        }
        finally
        {
            _gate.Release();
            if (enqueued)
            {
                Interlocked.Exchange(ref _workSignal, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
            }
        }
    }

    public async Task<T> ReadAsync<T>(Func<IStepTransaction, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _tx.Begin(write: false);
            try
            {
                return work(_tx);
            }
            finally
            {
                _tx.Rollback();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task RenewLeasesAsync(string owner, TimeSpan lease, CancellationToken cancellationToken = default) =>
        TransactAsync(tx => ((SqliteStepTransaction)tx).Renew(owner, (long)lease.TotalMilliseconds), cancellationToken);

    public Task<long?> NextDueAtAsync(CancellationToken cancellationToken = default) =>
        ReadAsync(tx => ((SqliteStepTransaction)tx).NextDueAt(), cancellationToken);

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var signal = Volatile.Read(ref _workSignal).Task;
        try
        {
            await signal.WaitAsync(timeout, Time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Idle wake-up: work may come from another process on the same file.
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        // The checkpointer's connection closes first, so closing the writer's (the last one) checkpoints the rest
        // of the log and removes it.
        await _checkpointer.DisposeAsync().ConfigureAwait(false);
        _tx.Dispose();
        _connection.Dispose();
        _gate.Dispose();
    }

}
