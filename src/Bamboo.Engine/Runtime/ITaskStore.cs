namespace Bamboo.Engine.Runtime;

/// <summary>
/// The durable task queue, in the same store as the states, so a step's next tasks commit with it. Due times are kept
/// on the store's own clock (see the store's documentation), so callers give delays, never instants.
/// </summary>
public interface ITaskStore
{
    /// <summary>Stores a task due after <paramref name="delay"/>; a task with a lease owner is stored held by that worker.</summary>
    ValueTask<long> EnqueueAsync(TaskRecord task, TimeSpan delay = default);

    /// <summary>
    /// Stores a task as <see cref="EnqueueAsync"/> does, for a caller that needs no id: a store that pays a round trip
    /// per statement may send it with its next statement, or with the commit.
    /// </summary>
    ValueTask AddAsync(TaskRecord task, TimeSpan delay = default);

    // The calls below act on a task this worker claimed; each throws LeaseLostException when the task is no longer
    // held by task.LeaseOwner, so a worker that lost a task can never overwrite another worker's progress.

    /// <summary>Moves the task's checkpoint: node, schedule, callback data, recover-point version and what it requires.</summary>
    ValueTask CheckpointAsync(TaskRecord task);

    /// <summary>Gives the task back to the queue, due after <paramref name="delay"/>, with its attempt count and requirement.</summary>
    ValueTask RequeueAsync(TaskRecord task, TimeSpan delay);

    ValueTask CompleteAsync(TaskRecord task);

    /// <summary>Takes the next due task that <paramref name="filter"/> admits for <paramref name="owner"/>, or null.</summary>
    ValueTask<TaskRecord?> ClaimAsync(string owner, WorkFilter filter);

    /// <summary>The store's clock now, in milliseconds: what <see cref="TaskRecord.DueAt"/> is measured on.</summary>
    long Clock { get; }

    /// <summary>The tasks of a run, held or not: what a run waits for.</summary>
    ValueTask<IReadOnlyList<TaskRecord>> GetForRootAsync(string rootId);
}
