using System.Collections.Concurrent;
using System.Diagnostics;
using Bamboo.Runtime.Relational;

namespace Bamboo.Runtime.Sqlite;

public sealed partial class SqliteStore
{
    /// <summary>The most callers one commit carries; bounds how long the write lock is held.</summary>
    private const int MaxBatch = 64;

    private readonly ConcurrentQueue<PendingTransaction> _queue = new();
    private int _leading;
    private int _lastBatchSize;

    /// <summary>
    /// Group commit: callers that arrive while a commit is in progress are queued, and the next leader runs all of
    /// them in one SQLite transaction; one caller's failure undoes only its own work (the writes of the callers before
    /// it are replayed, see <see cref="SqliteSession.UndoToAsync"/>). Every caller resumes only after the commit that
    /// holds its work, so each step is still durable before its caller goes on; concurrent pipelines share the cost
    /// of writing the WAL. A failure of the transaction itself (a full disk) fails every caller in it, at once.
    /// </summary>
    internal async Task<T> WriteSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new PendingTransaction<T>(work);
        _queue.Enqueue(pending);
        // Lead from the thread pool, never inline: a caller that starts many transactions in a row (100 run_pipeline
        // calls in a loop) goes on to the next at once instead of committing each alone, so they share commits.
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
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
                    while (own is not { Completed: true } && await RunBatchAsync().ConfigureAwait(false))
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
    private async ValueTask<bool> RunBatchAsync()
    {
        var batch = PendingTransaction.Take(_queue, MaxBatch);
        if (batch.Count == 0)
        {
            return false;
        }

        _lastBatchSize = batch.Count;
        var enqueued = 0;
        var started = Stopwatch.GetTimestamp();
        try
        {
            _session.Begin(write: true);
            _tx.Begin();
            foreach (var pending in batch)
            {
                await pending.RunAsync(_tx).ConfigureAwait(false);
                if (_session.Broken is { } broken)
                {
                    // SQLite rolled the transaction back under every caller: none of their work survives.
                    throw broken;
                }
            }

            if (batch.TrueForAll(p => p.Error is not null))
            {
                _session.Rollback();
            }
            else
            {
                enqueued = _tx.EnqueuedCount;
                var committing = Stopwatch.GetTimestamp();
                _session.Commit();
                _checkpointer.Committed();
                StoreMetrics.Committed(batch.Count, Stopwatch.GetElapsedTime(started), Stopwatch.GetElapsedTime(committing));
            }
        }
#pragma warning disable CA1031 // Whatever failed the transaction fails each of its callers; none may be left waiting.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            enqueued = 0;
            SafeRollback();
            foreach (var pending in batch)
            {
                // The transaction's own error, not one raised while cleaning up, reaches every caller.
                pending.Error = pending.Error is Microsoft.Data.Sqlite.SqliteException ? pending.Error : ex;
            }
        }
        finally
        {
            foreach (var pending in batch)
            {
                pending.Complete();
            }

            WakeLoops(enqueued);
        }

        return true;
    }

    /// <summary>Rolls back what may still be open, never throwing: SQLite may already have rolled back by itself.</summary>
    private void SafeRollback()
    {
        try
        {
            _session.Rollback();
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // Nothing left to roll back; the error that mattered is the one the callers get.
        }
    }
}
