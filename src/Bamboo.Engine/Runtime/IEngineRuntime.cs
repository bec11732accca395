using Bamboo.Engine.Components;

namespace Bamboo.Engine.Runtime;

/// <summary>The storage port of the engine: transactions over the store and the durable queue that lives in it.</summary>
public interface IEngineRuntime
{
    ComponentRegistry Components { get; }

    TimeProvider Time { get; }

    EngineOptions Options { get; }

    /// <summary>Runs <paramref name="work"/> in one write transaction; an exception rolls everything back.</summary>
    Task<T> TransactAsync<T>(Func<IStepTransaction, T> work, CancellationToken cancellationToken = default);

    /// <summary>Runs <paramref name="work"/> against a consistent read view.</summary>
    Task<T> ReadAsync<T>(Func<IStepTransaction, T> work, CancellationToken cancellationToken = default);

    /// <summary>Extends the leases of every task held by <paramref name="owner"/>.</summary>
    Task RenewLeasesAsync(string owner, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>When the earliest not-yet-due task becomes due, or null when the queue is empty.</summary>
    Task<long?> NextDueAtAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes when a commit in this process made a task due (one waiting loop per task, so one task does not wake
    /// them all, and a task committed before the wait began is not missed), or after <paramref name="timeout"/>.
    /// </summary>
    Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}
