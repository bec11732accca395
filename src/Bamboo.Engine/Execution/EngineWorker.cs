using System.Collections.Concurrent;
using System.Data.Common;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Bamboo.Engine.Execution;

/// <summary>
/// In-process workers: loops that claim the tasks this process can run and follow them. The worker registers in the
/// store and beats while it lives; another process takes its tasks only once the beat has stood still for the
/// worker's lease. On shutdown it stops claiming, lets work in flight finish within a grace period, then hands back
/// what is left at once, so the next worker need not wait for a lease.
/// </summary>
public sealed partial class EngineWorker(BambooEngine engine, PipelineEngine pipelines, ILogger<EngineWorker> logger)
{
    private const int MaxAttempts = 5;
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan StoreRetry = TimeSpan.FromSeconds(1);

    private readonly IEngineStore _store = engine.Store;
    private readonly EngineOptions _options = engine.Options;
    private readonly ConcurrentDictionary<string, (long Beat, long Since)> _seen = new();
    private volatile string _owner = NewOwner();

    /// <summary>The name this worker holds tasks under; a new one after it was reaped (see <see cref="IWorkerRegistry"/>).</summary>
    public string Owner => _owner;

    /// <summary>Only tasks of these runs are claimed; null (the default) serves every run in the store.</summary>
    public IReadOnlyCollection<string>? Roots { get; init; }

    /// <summary>Raised when the store fails (a full disk, an I/O error, a lost connection); the worker retries after a pause.</summary>
    public event EventHandler<StoreFailedEventArgs>? StoreFailed;

    /// <summary>
    /// Raised when this worker finds it was declared dead (it stalled past its lease): the tasks it held went to others,
    /// whatever it was still doing for them is refused, and it goes on under a new name.
    /// </summary>
    public event EventHandler? Reaped;

    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private int _claiming;
    private long _claimsStarted;

    /// <summary>Tasks this worker is working on: being claimed and stepped, or waiting on their services.</summary>
    public int InFlight => Volatile.Read(ref _claiming) + _running.Count;

    /// <summary>How many claims this worker has begun; unchanged across a span means no claim began in it.</summary>
    public long ClaimsStarted => Interlocked.Read(ref _claimsStarted);

    private static string NewOwner() => Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];

    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Completes once <see cref="RunAsync"/> has registered this worker in the store: from then on a look at the store
    /// counts it (a wait on a run does not say that no worker is running).
    /// </summary>
    public Task Registered => _registered.Task;

    /// <summary>
    /// Runs until <paramref name="cancellationToken"/> is cancelled, then shuts down within the grace period of
    /// <see cref="EngineOptions.ShutdownGrace"/> and says what it left.
    /// </summary>
    public async Task<WorkerExit> RunAsync(CancellationToken cancellationToken)
    {
        EnsureThreads();
        var filter = engine.WorkFilter(Roots);
        using var slots = new SemaphoreSlim(Math.Max(1, _options.MaxConcurrentTasks));
        using var work = new CancellationTokenSource();
        using var life = new CancellationTokenSource();
        var running = _running;
        try
        {
            await RegisterAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _registered.TrySetCanceled(cancellationToken);
            throw;
        }

        _registered.TrySetResult();
        var beating = BeatLoopAsync(life.Token);
        var loops = Enumerable.Range(0, Math.Max(1, _options.WorkerCount)).Select(_ => WorkLoopAsync(filter, slots, running, work.Token, cancellationToken)).ToList();
        await Task.WhenAll(loops).ConfigureAwait(false);

        // Stopping: nothing new is claimed; tasks in flight get the grace period to reach their next commit.
        var inFlight = Task.WhenAll(running.Keys);
        var finished = await Task.WhenAny(inFlight, Task.Delay(_options.ShutdownGrace, engine.Time, CancellationToken.None)).ConfigureAwait(false) == inFlight;
        var abandoned = finished ? 0 : running.Count;
        await work.CancelAsync().ConfigureAwait(false);
        HandBack left;
        try
        {
            left = await _store.Workers.HandBackAsync(Owner, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbException ex)
        {
            // The store is failing: the tasks stay with this worker's name, and others take them once its beat stops.
            LogHandBackFailed(ex);
            left = new HandBack(-1, -1);
        }

        await life.CancelAsync().ConfigureAwait(false);
        await beating.ConfigureAwait(false);
        return new WorkerExit(left.Tasks, left.RunningNodes, abandoned);
    }

    /// <summary>
    /// A service that blocks its thread keeps a thread-pool thread; the pool adds threads only slowly beyond its
    /// minimum, so enough are allowed at once for every task slot to block without starving the engine itself.
    /// </summary>
    private void EnsureThreads()
    {
        ThreadPool.GetMinThreads(out var workers, out var io);
        var wanted = _options.MaxConcurrentTasks + Environment.ProcessorCount;
        if (workers < wanted)
        {
            ThreadPool.SetMinThreads(wanted, io);
        }
    }

    private async Task RegisterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await _store.Workers.RegisterAsync(Owner, _options.TaskLease, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (DbException ex)
            {
                Fault(ex);
                await Task.Delay(StoreRetry, engine.Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Beats, and watches the other workers' beats: one whose beat stood still for its lease, on this process's
    /// monotonic clock, is reaped and its tasks go back to the queue. Wall clocks are never compared.
    /// </summary>
    private async Task BeatLoopAsync(CancellationToken cancellationToken)
    {
        // Often enough that others see this worker alive well within its lease, and that a dead one is noticed soon.
        var period = TimeSpan.FromTicks(Math.Min(_options.TaskLease.Ticks / 4, TimeSpan.TicksPerSecond));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(period, engine.Time, cancellationToken).ConfigureAwait(false);
                if (!await _store.Workers.HeartbeatAsync(Owner, cancellationToken).ConfigureAwait(false))
                {
                    // Reaped while frozen: the tasks it held are others' now, and its late writes are refused.
                    LogReaped(Owner);
                    Reaped?.Invoke(this, EventArgs.Empty);
                    _owner = NewOwner();
                    await _store.Workers.RegisterAsync(Owner, _options.TaskLease, cancellationToken).ConfigureAwait(false);
                }

                await ReapSilentAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (DbException ex)
            {
                Fault(ex);
            }
        }
    }

    private async Task ReapSilentAsync(CancellationToken cancellationToken)
    {
        var now = engine.Time.GetTimestamp();
        var workers = await _store.Workers.ListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var key in _seen.Keys.Except(workers.Select(w => w.Owner)))
        {
            _seen.TryRemove(key, out _);
        }

        foreach (var w in workers)
        {
            if (w.Owner == Owner)
            {
                continue;
            }

            if (!_seen.TryGetValue(w.Owner, out var seen) || seen.Beat != w.Beat)
            {
                _seen[w.Owner] = (w.Beat, now);
            }
            else if (engine.Time.GetElapsedTime(seen.Since, now) >= w.Lease)
            {
                var released = await _store.Workers.ReapAsync(w.Owner, w.Beat, cancellationToken).ConfigureAwait(false);
                _seen.TryRemove(w.Owner, out _);
                LogReapedOther(w.Owner, released);
            }
        }
    }

    /// <summary>
    /// Claims tasks and runs their first step; a task that then waits on a service finishes in the background, so
    /// slow services never hold a loop. At most MaxConcurrentTasks tasks are in progress at once.
    /// </summary>
    private async Task WorkLoopAsync(WorkFilter filter, SemaphoreSlim slots, ConcurrentDictionary<Task, byte> running, CancellationToken work, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(stop).ConfigureAwait(false);
                if (!await StartOneAsync(filter, slots, running, work, stop).ConfigureAwait(false))
                {
                    var next = await _store.NextDueInAsync(filter, stop).ConfigureAwait(false);
                    var wait = next is { } due && due > TimeSpan.Zero && due < IdleWait ? due : IdleWait;
                    await _store.WaitForWorkAsync(wait, stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (DbException ex)
            {
                await HandleAsync(ex, stop).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // A failure the engine does not know (a driver's own exception, a bug) must not end the loop.
            catch (Exception ex) when (!stop.IsCancellationRequested)
#pragma warning restore CA1031
            {
                // A loop that ended would leave this worker beating while it claims nothing: its tasks would stay
                // with it, and no other worker would take them. Nothing was claimed (a claimed task's failure comes
                // as a TaskFailedException), so the loop goes on after a pause.
                LogLoopFailed(ex);
                await PauseAsync(StoreRetry, stop).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Claims a task and runs its first step (a failure of it is handled here); false when no task was due. The slot
    /// goes with a started task, whose rest frees it, or is freed here. From the claim until the rest runs on its own
    /// or the failure is handled, the work counts in <see cref="InFlight"/>, so a look at the queue never misses it.
    /// </summary>
    private async Task<bool> StartOneAsync(WorkFilter filter, SemaphoreSlim slots, ConcurrentDictionary<Task, byte> running, CancellationToken work, CancellationToken stop)
    {
        Interlocked.Increment(ref _claimsStarted);
        Interlocked.Increment(ref _claiming);
        var started = false;
        try
        {
            if (await pipelines.StartNextAsync(Owner, filter, stop, work).ConfigureAwait(false) is not { } claimed)
            {
                return false;
            }

            var rest = FinishAsync(claimed.Remaining, slots);
            running.TryAdd(rest, 0);
            _ = rest.ContinueWith(t => running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            started = true;
        }
        catch (Exception ex) when (ex is LeaseLostException or TaskFailedException)
        {
            // A task was claimed: the loop claims again at once, as after a step that went well.
            await HandleAsync(ex, stop).ConfigureAwait(false);
        }
        finally
        {
            if (!started)
            {
                slots.Release();
            }

            Interlocked.Decrement(ref _claiming);
        }

        return true;
    }

    private async Task PauseAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, engine.Time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the loop ends at its next turn.
        }
    }

    /// <summary>Waits for the rest of a task, reports its failure, and frees its slot.</summary>
    private async Task FinishAsync(Task rest, SemaphoreSlim slots)
    {
        try
        {
            await rest.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Past the grace period: the task is handed back, and another worker resumes it.
        }
        catch (Exception ex) when (ex is LeaseLostException or TaskFailedException or DbException)
        {
            await HandleAsync(ex, CancellationToken.None).ConfigureAwait(false);
        }
        catch (AggregateException many)
        {
            // A fork's branches followed with their forking task (and theirs, flattened): each failure names its own task.
            foreach (var ex in many.Flatten().InnerExceptions.Where(e => e is LeaseLostException or TaskFailedException or DbException))
            {
                await HandleAsync(ex, CancellationToken.None).ConfigureAwait(false);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task HandleAsync(Exception ex, CancellationToken cancellationToken)
    {
        try
        {
            switch (ex)
            {
                case TaskFailedException { InnerException: DbException store } failed:
                    // The store failed, not the task: nothing of the step was applied. The task goes back to the
                    // queue once the store takes writes again (it may still be held by this worker).
                    Fault(store);
                    await ReleaseAsync(failed.Task, cancellationToken).ConfigureAwait(false);
                    break;
                case TaskFailedException failed:
                    await RecordFailureAsync(failed).ConfigureAwait(false);
                    break;
                case LeaseLostException lost:
                    // Another worker owns the task now (this one stalled past its lease); its transaction was discarded.
                    LogLeaseLost(lost.TaskId);
                    break;
                case DbException store:
                    Fault(store);
                    await Task.Delay(StoreRetry, engine.Time, cancellationToken).ConfigureAwait(false);
                    break;
            }
        }
        catch (LeaseLostException lost)
        {
            LogLeaseLost(lost.TaskId);
        }
        catch (DbException store)
        {
            Fault(store);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    /// <summary>Gives a task back to the queue, retrying while the store fails; a task this worker does not hold is left alone.</summary>
    private async Task ReleaseAsync(TaskRecord task, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await _store.WriteAsync(async tx =>
                {
                    await tx.Tasks.RequeueAsync(task, TimeSpan.Zero).ConfigureAwait(false);
                    return 0;
                }, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (LeaseLostException)
            {
                // Not held: the claim itself was never committed, so the task is in the queue already.
                return;
            }
            catch (DbException ex)
            {
                Fault(ex);
                await Task.Delay(StoreRetry, engine.Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private void Fault(DbException ex)
    {
        LogStoreFailed(ex, ex.Message);
        StoreFailed?.Invoke(this, new StoreFailedEventArgs(ex));
    }

    /// <summary>
    /// Retries a failing task later with back-off; after <see cref="MaxAttempts"/> tries its node is failed with the
    /// error, where an operator sees it (see <see cref="PipelineEngine.GiveUpAsync"/>).
    /// </summary>
    private async Task RecordFailureAsync(TaskFailedException failed)
    {
        var task = failed.Task;
        LogTaskFailed(failed.InnerException!, task.Id, task.NodeId, task.Attempts);
        try
        {
            if (task.Attempts >= MaxAttempts)
            {
                if (await pipelines.GiveUpAsync(task, failed.InnerException!, CancellationToken.None).ConfigureAwait(false))
                {
                    LogTaskDropped(task.Id, task.NodeId, task.Attempts);
                }
                else
                {
                    LogTaskDroppedNodeLeft(task.Id, task.NodeId, task.Attempts);
                }

                return;
            }

            await _store.WriteAsync(async tx =>
            {
                await tx.Tasks.RequeueAsync(task, TimeSpan.FromSeconds(task.Attempts)).ConfigureAwait(false);
                return 0;
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (DbException store)
        {
            // The store failed, not the task: it goes back to the queue once the store takes writes again.
            Fault(store);
            await ReleaseAsync(task, CancellationToken.None).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Task {TaskId} was taken over by another worker; this worker's step was discarded")]
    private partial void LogLeaseLost(long taskId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Task {TaskId} from node {NodeId} dropped after {Attempts} failed attempts; its node is marked FAILED for an operator to retry or skip")]
    private partial void LogTaskDropped(long taskId, string nodeId, int attempts);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Error, Message = "Task {TaskId} from node {NodeId} dropped after {Attempts} failed attempts; its node was not in a state to mark FAILED (see the run's states)")]
    private partial void LogTaskDroppedNodeLeft(long taskId, string nodeId, int attempts);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Task {TaskId} at node {NodeId} failed (attempt {Attempt})")]
    private partial void LogTaskFailed(Exception exception, long taskId, string nodeId, int attempt);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Error, Message = "The store failed: {Reason}; retrying")]
    private partial void LogStoreFailed(Exception exception, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Error, Message = "Worker {Owner} was declared dead by another process while it was stalled; its tasks went to others, it goes on under a new name")]
    private partial void LogReaped(string owner);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Worker {Owner} stopped beating; {Tasks} of its tasks went back to the queue")]
    private partial void LogReapedOther(string owner, int tasks);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Error, Message = "A work loop failed while claiming; it goes on")]
    private partial void LogLoopFailed(Exception exception);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Error, Message = "Could not hand tasks back on exit; other workers take them once this worker's lease lapses")]
    private partial void LogHandBackFailed(Exception exception);
}

/// <summary>What a worker left when it stopped: tasks handed back, of which nodes still RUNNING, and follows cut off by the grace period.</summary>
public sealed record WorkerExit(int TasksHandedBack, int RunningNodes, int Abandoned);

/// <summary>The store error a worker met.</summary>
public sealed class StoreFailedEventArgs(DbException error) : EventArgs
{
    public DbException Error { get; } = error;
}
