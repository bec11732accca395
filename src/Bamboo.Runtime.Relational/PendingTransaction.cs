namespace Bamboo.Runtime.Relational;

/// <summary>A caller's transaction waiting for the next group commit; its caller resumes once it committed.</summary>
internal abstract class PendingTransaction
{
    public Exception? Error { get; set; }

    public bool Completed { get; protected set; }

    /// <summary>Where the work began in its transaction (see <see cref="SqlSession.MarkAsync"/>), once it ran.</summary>
    public int Mark { get; protected set; }

    /// <summary>
    /// Runs the caller's work; an exception is the caller's alone and undoes only this work. With
    /// <paramref name="deferred"/>, its held writes go out with the next work's first statement or the commit.
    /// </summary>
    public abstract ValueTask RunAsync(RelationalTransaction tx, bool deferred = false);

    /// <summary>Hands the result, or <see cref="Error"/>, to the caller.</summary>
    public abstract void Complete();

    /// <summary>The next batch for one commit: up to <paramref name="max"/> queued works, oldest first.</summary>
    public static List<PendingTransaction> Take(System.Collections.Concurrent.ConcurrentQueue<PendingTransaction> queue, int max)
    {
        var batch = new List<PendingTransaction>();
        while (batch.Count < max && queue.TryDequeue(out var next))
        {
            batch.Add(next);
        }

        return batch;
    }
}

internal sealed class PendingTransaction<T>(Func<RelationalTransaction, ValueTask<T>> work) : PendingTransaction
{
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public Task<T> Task => _done.Task;

    public override async ValueTask RunAsync(RelationalTransaction tx, bool deferred = false)
    {
        try
        {
            _result = await tx.RunAsync(t => work((RelationalTransaction)t), deferred).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The caller's failure is handed to the caller; the batch goes on.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Error = ex;
        }
        finally
        {
            Mark = tx.LastMark;
        }
    }

    public override void Complete()
    {
        Completed = true;
        if (Error is null)
        {
            _done.TrySetResult(_result);
        }
        else
        {
            _done.TrySetException(Error);
        }
    }
}
