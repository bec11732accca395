using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Sqlite;

/// <summary>A caller's transaction waiting for the next group commit; its caller resumes once it committed.</summary>
internal abstract class PendingTransaction
{
    public Exception? Error { get; set; }

    public bool Completed { get; protected set; }

    /// <summary>Runs the caller's work; an exception is the caller's alone and rolls back only this work.</summary>
    public abstract void Run(IStepTransaction tx);

    /// <summary>Hands the result, or <see cref="Error"/>, to the caller.</summary>
    public abstract void Complete();
}

internal sealed class PendingTransaction<T>(Func<IStepTransaction, T> work) : PendingTransaction
{
    private readonly TaskCompletionSource<T> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private T _result = default!;

    public Task<T> Task => _done.Task;

    public override void Run(IStepTransaction tx) => _result = work(tx);

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
