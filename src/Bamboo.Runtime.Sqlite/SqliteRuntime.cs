using Bamboo.Engine.Components;
using Bamboo.Engine.Runtime;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>
/// The embedded runtime: one SQLite file in WAL mode holding states, data, context and the task queue.
/// SQLite has one writer, so every transaction runs on one connection behind an async gate; BEGIN IMMEDIATE
/// keeps other processes on the same file consistent.
/// </summary>
public sealed partial class SqliteRuntime : IEngineRuntime, IAsyncDisposable, IDisposable
{
    /// <summary>The most callers one commit carries; bounds how long the write lock is held.</summary>
    private const int MaxBatch = 64;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteStepTransaction _tx;
    private readonly WalCheckpointer _checkpointer;
    private readonly System.Collections.Concurrent.ConcurrentQueue<PendingTransaction> _queue = new();
    private int _leading;
    private int _lastBatchSize;
    // Counts committed tasks that no idle loop has been woken for yet: one loop per new task (up to WorkerCount), so
    // a single task does not wake every loop, and a task committed just before a loop starts waiting is not missed.
    private readonly SemaphoreSlim _work;
    private readonly int _wakeLimit;

    public SqliteRuntime(SqliteRuntimeOptions options, ComponentRegistry components, EngineOptions? engineOptions = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Components = components;
        Options = engineOptions ?? new EngineOptions();
        _wakeLimit = Math.Max(1, Options.WorkerCount);
        _work = new SemaphoreSlim(0, _wakeLimit);
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
        // 4 KiB pages: with group commit and the checkpoint off the writer, shallower b-trees and fewer page splits
        // beat the smaller commits of 1 KiB pages (measured per statement). page_size only applies to a new file.
        _connection.Execute("PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF; " +
            $"PRAGMA wal_autocheckpoint={WalCheckpointer.WalLimitPages}; PRAGMA cache_size=-{Math.Max(1, options.CacheSizeMiB) * 1024};");
        SchemaMigrator.Apply(_connection);
        _tx = new SqliteStepTransaction(_connection, Time);
        _checkpointer = new WalCheckpointer(connectionString);
    }

    public ComponentRegistry Components { get; }

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

    public TimeProvider Time { get; }

    public EngineOptions Options { get; }

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
        using var timer = new CancellationTokenSource(timeout, Time);
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
        _connection.Dispose();
        _gate.Dispose();
        _work.Dispose();
    }

}
