using System.Diagnostics;
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

    public SqliteRuntime(SqliteRuntimeOptions options, ComponentRegistry components, EngineOptions? engineOptions = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Components = components;
        Options = engineOptions ?? new EngineOptions();
        _work = new SemaphoreSlim(0, Math.Max(1, Options.WorkerCount));
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
        Execute("PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF;");
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

    /// <summary>
    /// Applies the embedded scripts Schema/NNNN_*.sql whose number is above the file's user_version, each in its own
    /// transaction with the version bump, so a store is migrated once and a failed script leaves it as it was.
    /// </summary>
    private void ApplySchema()
    {
        var assembly = typeof(SqliteRuntime).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n, Version: SchemaVersion(n)))
            .OrderBy(s => s.Version);
        foreach (var (name, version) in scripts)
        {
            Execute("BEGIN IMMEDIATE;");
            try
            {
                if (Scalar("PRAGMA user_version;") < version)
                {
                    using var stream = assembly.GetManifestResourceStream(name)!;
                    using var reader = new StreamReader(stream);
                    Execute(reader.ReadToEnd());
                    Execute($"PRAGMA user_version = {version};");
                }

                Execute("COMMIT;");
            }
            catch
            {
                Execute("ROLLBACK;");
                throw;
            }
        }
    }

    // "Bamboo.Runtime.Sqlite.Schema.0002_states_index.sql" → 2
    private static int SchemaVersion(string resourceName)
    {
        var file = resourceName[(resourceName.IndexOf(".Schema.", StringComparison.Ordinal) + ".Schema.".Length)..];
        return int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
    }

    private long Scalar(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Group commit: callers that arrive while a commit is in progress are queued, and the next leader runs all of
    /// them in one SQLite transaction, each inside its own savepoint, so one caller's failure undoes only its own
    /// work. Every caller resumes only after the commit that holds its work, so each step is still durable before
    /// its caller goes on; concurrent pipelines just share the cost of writing the WAL.
    /// </summary>
    public async Task<T> TransactAsync<T>(Func<IStepTransaction, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingTransaction<T>(work);
        _queue.Enqueue(pending);
        await LeadAsync(pending).ConfigureAwait(false);
        return await pending.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Becomes the leader unless another caller is, and commits batches until <paramref name="own"/> is done (or, for
    /// a background leader, until the queue is empty). A caller never keeps committing for others after its own
    /// work is done: if work is left, a background leader takes over.
    /// </summary>
    private async Task LeadAsync(PendingTransaction? own)
    {
        while (Interlocked.CompareExchange(ref _leading, 1, 0) == 0)
        {
            try
            {
                if (_lastBatchSize > 1)
                {
                    // Others were committing a moment ago: let the callers the last commit released queue their
                    // next steps first, so this commit carries them too. A lone caller never pays for the hop.
                    await Task.Yield();
                }

                // A leader commits for others too, so it does not give up on its caller's token once it leads.
                await _gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
                try
                {
                    while (own is not { Completed: true } && RunBatch())
                    {
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }
            finally
            {
                // A full fence: work queued after the last drain is seen by the check below, or its caller leads.
                Interlocked.Exchange(ref _leading, 0);
            }

            if (_queue.IsEmpty)
            {
                return;
            }

            if (own is not null)
            {
                _ = Task.Run(() => LeadAsync(null));
                return;
            }
        }
    }

    /// <summary>Commits up to <see cref="MaxBatch"/> queued transactions; false when the queue was empty.</summary>
    private bool RunBatch()
    {
        var batch = new List<PendingTransaction>();
        while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
        {
            batch.Add(next);
        }

        if (batch.Count == 0)
        {
            return false;
        }

        _lastBatchSize = batch.Count;

        var enqueued = 0;
        var started = Stopwatch.GetTimestamp();
        try
        {
            _tx.Begin(write: true);
            if (batch.Count == 1)
            {
                _tx.Run(batch[0]);
            }
            else
            {
                foreach (var pending in batch)
                {
                    _tx.RunInSavepoint(pending);
                }
            }

            if (batch.TrueForAll(p => p.Error is not null))
            {
                _tx.Rollback();
            }
            else
            {
                enqueued = _tx.EnqueuedCount;
                _tx.Commit();
                _checkpointer.Committed();
                StoreMetrics.Committed(batch.Count, Stopwatch.GetElapsedTime(started));
            }
        }
        catch (Exception ex)
        {
            // The transaction itself failed (not one caller's work): nothing in it was committed.
            _tx.Rollback();
            foreach (var pending in batch)
            {
                pending.Error ??= ex;
            }
        }

        foreach (var pending in batch)
        {
            pending.Complete();
        }

        WakeLoops(enqueued);

        return true;
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
        var wake = Math.Min(tasks, Math.Max(1, Options.WorkerCount) - _work.CurrentCount);
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
