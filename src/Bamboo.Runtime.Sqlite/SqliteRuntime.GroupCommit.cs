using System.Diagnostics;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Sqlite;

public sealed partial class SqliteRuntime
{
    /// <summary>
    /// Group commit: callers that arrive while a commit is in progress are queued, and the next leader runs all of
    /// them in one SQLite transaction; one caller's failure undoes only its own work (the writes of the callers before
    /// it are replayed, see <see cref="SqliteStepTransaction.Run"/>). Every caller resumes only after the commit that
    /// holds its work, so each step is still durable before its caller goes on; concurrent pipelines just share the
    /// cost of writing the WAL.
    /// </summary>
    public async Task<T> TransactAsync<T>(Func<IStepTransaction, T> work, CancellationToken cancellationToken = default)
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
            foreach (var pending in batch)
            {
                _tx.Run(pending);
            }

            if (batch.TrueForAll(p => p.Error is not null))
            {
                _tx.Rollback();
            }
            else
            {
                enqueued = _tx.EnqueuedCount;
                var committing = Stopwatch.GetTimestamp();
                _tx.Commit();
                _checkpointer.Committed();
                StoreMetrics.Committed(batch.Count, Stopwatch.GetElapsedTime(started), Stopwatch.GetElapsedTime(committing));
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
}
