using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Bamboo.Engine.Execution;

/// <summary>
/// The state machine that moves pipelines forward. Each step runs in one runtime transaction; user code (services,
/// hooks, lazy variables, executable end events) runs only between transactions, and its result is applied only if
/// the node still has the version it started with.
/// </summary>
public sealed partial class PipelineEngine(BambooEngine engine, ILogger<PipelineEngine> logger, IPipelineEventSink? events = null)
{
    private const int NodesPerTransaction = 64;
    private const int ApplyAttempts = 5;
    private static readonly TimeSpan ApplyRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly IEngineStore _store = engine.Store;
    private readonly EngineOptions _options = engine.Options;
    private readonly Components.ComponentRegistry _components = engine.Components;

    private ValueTask<CompiledPipeline> CompiledAsync(IStoreTransaction tx, string rootId) => engine.Compiled.GetAsync(tx, rootId);

    /// <summary>Raised after the transaction that finished a root pipeline has committed.</summary>
    public event EventHandler<PipelineFinishedEventArgs>? PipelineFinished;

    /// <summary>
    /// Claims the next due task <paramref name="filter"/> admits and runs its first step; <c>Remaining</c> completes when
    /// the task is done (at once for most steps, later when a service runs). Null when no task was due. Once
    /// <paramref name="stopping"/> is cancelled, the task runs no further user code: what it started finishes and
    /// commits, and the task stays at its checkpoint for the worker to hand back. <paramref name="cancellationToken"/>
    /// cuts off user code in flight.
    /// </summary>
    public async Task<(TaskRecord Task, Task Remaining)?> StartNextAsync(string owner, WorkFilter filter, CancellationToken stopping, CancellationToken cancellationToken = default)
    {
        TaskRecord? claimed = null;
        Exception? failed = null;
        StepOutcome outcome;
        try
        {
            outcome = await _store.WriteAsync(async tx =>
            {
                claimed = await tx.Tasks.ClaimAsync(owner, filter).ConfigureAwait(false);
                if (claimed is null)
                {
                    return StepOutcome.Done;
                }

                try
                {
                    return await tx.IsolatedAsync(() => FirstStepAsync(tx, claimed, cancellationToken)).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not (OperationCanceledException or LeaseLostException))
                {
                    // Only the step is undone: the claim commits and counts the attempt, so the worker can requeue the
                    // task with back-off. Undoing the claim too left the task due at once, and it failed in a tight loop.
                    failed = ex;
                    return StepOutcome.Done;
                }
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (claimed is not null && ex is not (OperationCanceledException or LeaseLostException))
        {
            throw new TaskFailedException(claimed, ex);
        }

        if (failed is not null)
        {
            throw new TaskFailedException(claimed!, failed);
        }

        return claimed is null ? null : (claimed, RestAsync(claimed, outcome, stopping, cancellationToken));
    }

    /// <summary>Follows a task to its end; a failure is reported as the <see cref="TaskFailedException"/> of the task it belongs to.</summary>
    private async Task RestAsync(TaskRecord task, StepOutcome outcome, CancellationToken stopping, CancellationToken cancellationToken)
    {
        if (outcome == StepOutcome.Done)
        {
            OnTaskEnded(task);
            return;
        }

        // Off the caller's thread before any user code runs: a service that blocks its thread must not hold the
        // claim loop, nor the fork that starts its branches one after another.
        await Task.Yield();
        try
        {
            await FollowAsync(task, outcome, stopping, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or LeaseLostException or TaskFailedException or AggregateException))
        {
            throw new TaskFailedException(task, ex);
        }
        finally
        {
            OnTaskEnded(task);
        }
    }

    /// <summary>
    /// Raised with the run's root id when a task's work in this engine ends: it finished, waits (for a callback, a
    /// schedule, a worker), failed or was handed back. A run only stops at such a moment, so a wait on a run's outcome
    /// wakes on this instead of on every node's hooks. Keep it quick.
    /// </summary>
    public event Action<string>? TaskEnded;

    private void OnTaskEnded(TaskRecord task)
    {
        try
        {
            TaskEnded?.Invoke(task.RootId);
        }
#pragma warning disable CA1031 // An observer's failure must not fail the task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEventSinkFailed(ex, nameof(TaskEnded));
        }
    }

    /// <summary>
    /// Follows the forking task and the branches it started side by side. Each failure names its own task; when
    /// several fail, an <see cref="AggregateException"/> carries them all.
    /// </summary>
    private async Task FollowBranchesAsync(TaskRecord task, BranchesOutcome forked, CancellationToken stopping, CancellationToken cancellationToken)
    {
        var all = Task.WhenAll(forked.Started.Select(b => RestAsync(b.Task, b.Outcome, stopping, cancellationToken)).Prepend(RestAsync(task, forked.Own, stopping, cancellationToken)));
        try
        {
            await all.ConfigureAwait(false);
        }
        catch when (all.Exception is { InnerExceptions.Count: > 1 })
        {
            throw all.Exception;
        }
    }

    private ValueTask<StepOutcome> FirstStepAsync(IStoreTransaction tx, TaskRecord task, CancellationToken cancellationToken) =>
        task.Kind == TaskKind.Schedule ? PrepareScheduleAsync(tx, task)
        : task.Version is not null ? ResumeServiceCallAsync(tx, task, new UserCodeResults(_components))
        : WalkAsync(tx, task, cancellationToken);

    /// <summary>Runs the service calls and further transactions a step asked for, until the task is done.</summary>
    private async Task FollowAsync(TaskRecord task, StepOutcome outcome, CancellationToken stopping, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (stopping.IsCancellationRequested && outcome is ServiceCallOutcome or ScheduleCallOutcome or ResumeOutcome or ContinueOutcome)
            {
                // Shutting down: the task's checkpoint is committed; the worker hands it back for another to go on.
                return;
            }

            switch (outcome)
            {
                case BranchesOutcome forked:
                    await FollowBranchesAsync(task, forked, stopping, cancellationToken).ConfigureAwait(false);
                    return;
                case ServiceCallOutcome call:
                    {
                        var result = WithinDataLimit(call, await CallExecuteAsync(call, cancellationToken).ConfigureAwait(false));
                        outcome = await ApplyResultAsync(call.Node.Node.Id, (tx, retry) => ApplyExecuteResultAsync(tx, retry ? call with { State = null } : call, result, retry, cancellationToken), cancellationToken).ConfigureAwait(false);
                        break;
                    }

                case ResumeOutcome resume:
                    resume.UserCode.RunMissing();
                    outcome = await _store.WriteAsync(tx => ResumeServiceCallAsync(tx, resume.Task, resume.UserCode), cancellationToken).ConfigureAwait(false);
                    break;
                case ScheduleCallOutcome call:
                    {
                        var result = WithinDataLimit(call, await CallScheduleAsync(call, cancellationToken).ConfigureAwait(false));
                        outcome = await ApplyResultAsync(call.Schedule.NodeId, (tx, retry) => ApplyScheduleResultAsync(tx, call, result, retry), cancellationToken).ConfigureAwait(false);
                        break;
                    }

                case ContinueOutcome next:
                    next.UserCode?.RunMissing();
                    outcome = await _store.WriteAsync(tx => WalkAsync(tx, next.Task, cancellationToken, next.Process, next.UserCode), cancellationToken).ConfigureAwait(false);
                    break;
                case PipelineFinishedOutcome finished:
                    Emit(new PipelineEvent("pipeline_finish", finished.RootId, null, new JsonObject { ["pipeline_id"] = finished.RootId }));
                    PipelineFinished?.Invoke(this, new PipelineFinishedEventArgs(finished.RootId));
                    return;
                default:
                    return;
            }
        }
    }

    /// <summary>
    /// Applies a service's result. The result exists only in this process until it commits, so a store error while it
    /// is applied is retried here with the same result, a few times with back-off, rather than handing the task back,
    /// which would run the service again. A retry that finds the node moved on may follow a commit that did happen
    /// although it reported an error: it hands the task back, and the worker that takes it resumes wherever that
    /// commit left it. After the last try the error goes to the worker, as before. A first try that wrote over a state
    /// it did not read (<see cref="ServiceCallOutcome.State"/>) and found it changed is tried again at once, reading it.
    /// </summary>
    private async Task<StepOutcome> ApplyResultAsync(string nodeId, Func<IStoreTransaction, bool, ValueTask<StepOutcome>> apply, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var retry = attempt > 1;
            try
            {
                return await _store.WriteAsync(tx => apply(tx, retry), cancellationToken).ConfigureAwait(false);
            }
            catch (StateVersionNotMatchException) when (attempt == 1)
            {
                // The node moved on while its service ran (a forced fail), or another state of the walk did.
            }
            catch (System.Data.Common.DbException ex) when (attempt < ApplyAttempts && !cancellationToken.IsCancellationRequested)
            {
                LogApplyRetry(ex, nodeId, attempt);
                await Task.Delay(ApplyRetryDelay * (1 << (attempt - 1)), engine.Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Raised with every runtime hook this engine's workers reach (after the sink, if any); keep it quick.</summary>
    public event EventHandler<PipelineEvent>? EventRaised;

    /// <summary>Whether anyone listens to the runtime hooks: they are not built otherwise.</summary>
    private bool Observed => events is not null || EventRaised is not null;

    private void Emit(PipelineEvent pipelineEvent)
    {
        if (!Observed)
        {
            return;
        }

        try
        {
            events?.OnEvent(pipelineEvent);
            EventRaised?.Invoke(this, pipelineEvent);
        }
#pragma warning disable CA1031 // An observer's failure must not fail the pipeline.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEventSinkFailed(ex, pipelineEvent.Type);
        }
    }

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Pipeline event sink failed on {EventType}")]
    private partial void LogEventSinkFailed(Exception exception, string eventType);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Stale work for node {NodeId} discarded: {Reason}")]
    private partial void LogStale(string nodeId, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Service hook {Hook} of node {NodeId} failed")]
    private partial void LogHookFailed(Exception exception, string hook, string nodeId);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "The store failed while the result of node {NodeId} was applied (attempt {Attempt}); trying again with the same result")]
    private partial void LogApplyRetry(Exception exception, string nodeId, int attempt);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Node {NodeId} waits for a worker that has {Requirement}; its task went back to the queue")]
    private partial void LogHandedOver(string nodeId, string requirement);
}
