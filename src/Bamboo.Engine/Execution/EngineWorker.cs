using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Bamboo.Engine.Execution;

/// <summary>
/// In-process workers: each claims due tasks under a lease and runs them; idle workers wake as soon as work is
/// committed or the next delayed task falls due. Leases are renewed while tasks run, so after a crash another
/// process takes the work over once the lease lapses.
/// </summary>
public sealed partial class EngineWorker(IEngineRuntime runtime, PipelineEngine engine, ILogger<EngineWorker> logger)
{
    private const int MaxAttempts = 5;
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(1);

    public string Owner { get; } = Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, runtime.Options.MaxConcurrentTasks));
        var running = new System.Collections.Concurrent.ConcurrentDictionary<Task, byte>();
        var loops = Enumerable.Range(0, Math.Max(1, runtime.Options.WorkerCount)).Select(_ => WorkLoopAsync(slots, running, cancellationToken)).ToList();
        loops.Add(RenewLoopAsync(cancellationToken));
        try
        {
            await Task.WhenAll(loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }

        // Tasks still waiting on a service stop with the token; their leases lapse and another worker resumes them.
        await Task.WhenAll(running.Keys).ConfigureAwait(false);
    }

    private async Task RenewLoopAsync(CancellationToken cancellationToken)
    {
        var period = runtime.Options.TaskLease / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            await Task.Delay(period, runtime.Time, cancellationToken).ConfigureAwait(false);
            await runtime.RenewLeasesAsync(Owner, runtime.Options.TaskLease, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Claims tasks and runs their first step; a task that then waits on a service finishes in the background, so
    /// slow services never hold a loop. At most MaxConcurrentTasks tasks are in progress at once.
    /// </summary>
    private async Task WorkLoopAsync(SemaphoreSlim slots, System.Collections.Concurrent.ConcurrentDictionary<Task, byte> running, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var handedOff = false;
            try
            {
                var work = await engine.StartNextAsync(Owner, cancellationToken).ConfigureAwait(false);
                if (work is { } started)
                {
                    var rest = FinishAsync(started.Remaining, slots);
                    running.TryAdd(rest, 0);
                    _ = rest.ContinueWith(t => running.TryRemove(t, out _), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    handedOff = true;
                }
                else
                {
                    slots.Release();
                    handedOff = true;
                    var next = await runtime.NextDueAtAsync(cancellationToken).ConfigureAwait(false);
                    var now = runtime.Time.GetUtcNow().ToUnixTimeMilliseconds();
                    // Due already, yet nothing was claimable: only this worker's own tasks, whose renewal is late.
                    var wait = next is long due && due > now ? TimeSpan.FromMilliseconds(Math.Min(due - now, IdleWait.TotalMilliseconds)) : IdleWait;
                    await runtime.WaitForWorkAsync(wait, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is LeaseLostException or TaskFailedException)
            {
                await HandleAsync(ex).ConfigureAwait(false);
            }
            finally
            {
                if (!handedOff)
                {
                    slots.Release();
                }
            }
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
            // Shutting down: the lease lapses and another worker resumes the task.
        }
        catch (Exception ex) when (ex is LeaseLostException or TaskFailedException)
        {
            await HandleAsync(ex).ConfigureAwait(false);
        }
        catch (AggregateException many)
        {
            // A fork's branches followed with their forking task (and theirs, flattened): each failure names its own task.
            foreach (var ex in many.Flatten().InnerExceptions.Where(e => e is LeaseLostException or TaskFailedException))
            {
                await HandleAsync(ex).ConfigureAwait(false);
            }
        }
        finally
        {
            slots.Release();
        }
    }

    private async Task HandleAsync(Exception ex)
    {
        try
        {
            if (ex is TaskFailedException failed)
            {
                await RecordFailureAsync(failed).ConfigureAwait(false);
            }
            else if (ex is LeaseLostException lost)
            {
                // Another worker owns the task now (this one stalled past its lease); its transaction was discarded.
                LogLeaseLost(lost.TaskId);
            }
        }
        catch (LeaseLostException lost)
        {
            LogLeaseLost(lost.TaskId);
        }
    }

    /// <summary>Retries a failing task later with back-off; drops it after <see cref="MaxAttempts"/> tries.</summary>
    private Task RecordFailureAsync(TaskFailedException failed)
    {
        var task = failed.Task;
        LogTaskFailed(failed.InnerException!, task.Id, task.NodeId, task.Attempts);
        return runtime.TransactAsync(tx =>
        {
            if (task.Attempts >= MaxAttempts)
            {
                LogTaskDropped(task.Id, task.NodeId, task.Attempts);
                tx.CompleteTask(task);
            }
            else
            {
                tx.RequeueTask(task, tx.Now + (1000L * task.Attempts));
            }

            return 0;
        }, CancellationToken.None);
    }

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Task {TaskId} was taken over by another worker after its lease lapsed; this worker's step was discarded")]
    private partial void LogLeaseLost(long taskId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "Task {TaskId} at node {NodeId} dropped after {Attempts} failed attempts; the process waits for an operator")]
    private partial void LogTaskDropped(long taskId, string nodeId, int attempts);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Task {TaskId} at node {NodeId} failed (attempt {Attempt})")]
    private partial void LogTaskFailed(Exception exception, long taskId, string nodeId, int attempt);
}
