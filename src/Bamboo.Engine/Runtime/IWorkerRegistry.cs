namespace Bamboo.Engine.Runtime;

/// <summary>
/// The worker processes that hold tasks. A worker is alive while its heartbeat counter moves; another worker decides
/// it is dead from how long the counter stood still on its own monotonic clock, never by comparing wall clocks, and
/// then reaps it: its tasks go back to the queue, fenced on the counter it last saw.
/// </summary>
public interface IWorkerRegistry
{
    /// <summary>Adds a worker that others may declare dead once its beat stands still for <paramref name="lease"/>.</summary>
    Task RegisterAsync(string owner, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Moves the owner's counter; false when the owner was reaped (its tasks belong to others now).</summary>
    Task<bool> HeartbeatAsync(string owner, CancellationToken cancellationToken = default);

    /// <summary>Every registered worker and its counter.</summary>
    Task<IReadOnlyList<WorkerBeat>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Removes a worker whose counter still reads <paramref name="beat"/> and releases its tasks; returns how many.</summary>
    Task<int> ReapAsync(string owner, long beat, CancellationToken cancellationToken = default);

    /// <summary>A worker's clean exit: its tasks go back to the queue, due at once, and it leaves the registry.</summary>
    Task<HandBack> HandBackAsync(string owner, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tasks that workers other than <paramref name="owner"/> hold, alive or dead: work neither queued nor done. A live
    /// worker finishes them; a dead one's come back to the queue once it is reaped.
    /// </summary>
    Task<int> CountHeldByOthersAsync(string owner, CancellationToken cancellationToken = default);
}

/// <summary>A registered worker, its heartbeat counter, and how long the counter may stand still before it counts as dead.</summary>
public sealed record WorkerBeat(string Owner, long Beat, TimeSpan Lease);

/// <summary>What a worker left behind when it exited: tasks released, and how many of them were nodes still RUNNING.</summary>
public sealed record HandBack(int Tasks, int RunningNodes);
