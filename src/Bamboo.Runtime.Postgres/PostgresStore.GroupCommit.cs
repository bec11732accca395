using System.Collections.Concurrent;
using System.Globalization;
using Bamboo.Runtime.Relational;
using Npgsql;

namespace Bamboo.Runtime.Postgres;

public sealed partial class PostgresStore
{
    /// <summary>
    /// The most callers one transaction carries; bounds how long its row locks are held, and keeps its subtransactions
    /// (a savepoint per work, and per isolated part of one) within the 64 PostgreSQL tracks without overflowing.
    /// </summary>
    private const int MaxBatch = 8;

    private readonly ConcurrentQueue<PendingTransaction> _queue = new();

    /// <summary>
    /// Group commit: a caller's work is queued, and runs in the next write transaction a free lane begins (at most
    /// <see cref="PostgresStoreOptions.WriteTransactions"/> at once), together with the works queued by then, each
    /// behind a savepoint. A work's held writes go out with the next work's first statement, so a step costs no round
    /// trip of its own to end; a work that fails, at once or when its held writes are sent, is undone alone. Every
    /// caller resumes only after the commit that holds its work, so each step is durable before its caller goes on.
    /// </summary>
    private async Task<T> WriteSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pending = new PendingTransaction<T>(work);
        _queue.Enqueue(pending);
        await LeadAsync(pending).ConfigureAwait(false);
        return await pending.Task.ConfigureAwait(false);
    }

    /// <summary>
    /// Takes a free lane, if any, and commits batches until <paramref name="own"/> is done (or, for a background
    /// leader, until the queue is empty). Every leader looks at the queue after giving its lane back, so work queued
    /// while all lanes were busy is never left behind.
    /// </summary>
    private async Task LeadAsync(PendingTransaction? own)
    {
        while (_lanes.Wait(0))
        {
            try
            {
                while (own is not { Completed: true } && await RunBatchAsync().ConfigureAwait(false))
                {
                }
            }
            finally
            {
                _lanes.Release();
                // A full fence: work queued after the last batch was taken is seen below, or its caller got the lane.
                Interlocked.MemoryBarrier();
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

    /// <summary>Runs work in a transaction of its own, not queued: see <see cref="RelationalStore.WriteAloneSqlAsync{T}"/>.</summary>
    private async Task<T> WriteAloneSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingTransaction<T>(work);
        await RunAsync([pending]).ConfigureAwait(false);
        return await pending.Task.ConfigureAwait(false);
    }

    /// <summary>Commits up to <see cref="MaxBatch"/> queued works; false when the queue was empty.</summary>
    private async ValueTask<bool> RunBatchAsync()
    {
        var batch = PendingTransaction.Take(_queue, MaxBatch);
        if (batch.Count == 0)
        {
            return false;
        }

        await RunAsync(batch).ConfigureAwait(false);
        return true;
    }

    /// <summary>Runs and commits the works, then hands each caller its result or error and wakes loops for new tasks.</summary>
    private async Task RunAsync(List<PendingTransaction> batch)
    {
        var enqueued = 0;
        try
        {
            enqueued = await CommitAsync(batch).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Whatever failed the transaction fails each of its callers; none may be left waiting.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            foreach (var pending in batch)
            {
                pending.Error ??= ex;
            }
        }
        finally
        {
            foreach (var pending in batch)
            {
                pending.Complete();
            }

            if (enqueued > 0)
            {
                WakeLoops(enqueued);
            }
        }
    }

    /// <summary>Runs the works in one transaction and commits it; returns how many tasks it made due.</summary>
    private async Task<int> CommitAsync(List<PendingTransaction> batch)
    {
        var connection = await _dataSource.OpenConnectionAsync(CancellationToken.None).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        var session = new PostgresSession(connection, _databaseClock, _processClock ? _time : null, _roundTrips);
        await using var sessionLifetime = session.ConfigureAwait(false);
        using var tx = new RelationalTransaction(session, PostgresDialect.Instance, _time) { LocksRows = true };
        await session.BeginAsync(write: true, CancellationToken.None).ConfigureAwait(false);
        tx.Begin();
        PostgresMetrics.Committing(batch.Count);
        try
        {
            foreach (var pending in batch)
            {
                await pending.RunAsync(tx, deferred: true).ConfigureAwait(false);
                if (!session.IsOpen)
                {
                    // The connection broke (the server ended it, the network failed): the transaction went with it, so
                    // every work in it fails with the store's error, which the engine treats as the store failing.
                    throw pending.Error as System.Data.Common.DbException ?? new NpgsqlException("the connection to the server was lost", pending.Error);
                }
            }

            // Tasks made due wake the other processes, once this transaction has committed.
            var notification = tx.EnqueuedCount > 0 ? string.Create(CultureInfo.InvariantCulture, $"{_id}:{tx.EnqueuedCount}") : null;
            await session.CommitAsync(notification is null ? null : (_channel, notification), CancellationToken.None).ConfigureAwait(false);
            foreach (var (mark, error) in session.LateFailures)
            {
                // Marks are unique but for 0, which only the first work that wrote anything can fail at.
                if (batch.FindLast(p => p.Mark == mark && p.Error is null) is { } failed)
                {
                    failed.Error = error;
                }
            }

            return tx.EnqueuedCount;
        }
        catch
        {
            await session.RollbackAsync().ConfigureAwait(false);
            throw;
        }
    }
}
