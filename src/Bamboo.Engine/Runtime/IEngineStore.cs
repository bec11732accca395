namespace Bamboo.Engine.Runtime;

/// <summary>
/// The storage port of the engine: transactions over the store, the durable queue that lives in it, and the registry
/// of the workers that hold its tasks. One engine step is one <see cref="WriteAsync{T}"/>: its state change, data,
/// context writes and next tasks commit together or not at all. Work given to a transaction is the engine's own;
/// user code never runs inside one.
/// </summary>
public interface IEngineStore
{
    /// <summary>Runs <paramref name="work"/> in one write transaction; an exception rolls all of it back and reaches the caller.</summary>
    Task<T> WriteAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="work"/> against a consistent read view; writes are not allowed.</summary>
    Task<T> ReadAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default);

    /// <summary>The processes that hold tasks, and their liveness.</summary>
    IWorkerRegistry Workers { get; }

    /// <summary>How long until the earliest task <paramref name="filter"/> admits is due (zero when one is due now), or null when there is none.</summary>
    Task<TimeSpan?> NextDueInAsync(WorkFilter filter, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes when a commit in this process made a task due, or after <paramref name="timeout"/> (work committed by
    /// other processes is found by polling).
    /// </summary>
    Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}
