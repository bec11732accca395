using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Logging;

namespace Bamboo.Engine.Execution;

/// <summary>
/// The state machine that moves pipelines forward. Each step runs in one runtime transaction; service code runs
/// between transactions, and its result is applied only if the node still has the version it started with.
/// </summary>
public sealed partial class PipelineEngine(IEngineRuntime runtime, ILogger<PipelineEngine> logger)
{
    private const int NodesPerTransaction = 64;

    private readonly CompiledPipelineCache _compiled = CompiledPipelineCache.Of(runtime);

    private CompiledPipeline Compiled(IStepTransaction tx, string rootId) => _compiled.Get(tx, rootId);

    /// <summary>Raised after the transaction that finished a root pipeline has committed.</summary>
    public event EventHandler<PipelineFinishedEventArgs>? PipelineFinished;

    /// <summary>Processes one claimed task to its end (including service calls), then removes it from the queue.</summary>
    public async Task RunTaskAsync(TaskRecord task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        StepOutcome outcome = task.Kind == TaskKind.Schedule
            ? await runtime.TransactAsync(tx => PrepareSchedule(tx, task), cancellationToken).ConfigureAwait(false)
            : task.Version is not null
                ? await runtime.TransactAsync(tx => ResumeServiceCall(tx, task), cancellationToken).ConfigureAwait(false)
                : await runtime.TransactAsync(tx => Walk(tx, task, cancellationToken), cancellationToken).ConfigureAwait(false);

        while (true)
        {
            switch (outcome)
            {
                case ServiceCallOutcome call:
                    {
                        var result = await (call.InFlight ?? CallExecuteAsync(call, cancellationToken)).ConfigureAwait(false);
                        outcome = await runtime.TransactAsync(tx => ApplyExecuteResult(tx, call, result, cancellationToken), cancellationToken).ConfigureAwait(false);
                        break;
                    }

                case ScheduleCallOutcome call:
                    {
                        var result = await CallScheduleAsync(call, cancellationToken).ConfigureAwait(false);
                        outcome = await runtime.TransactAsync(tx => ApplyScheduleResult(tx, call, result), cancellationToken).ConfigureAwait(false);
                        break;
                    }

                case ContinueOutcome next:
                    outcome = await runtime.TransactAsync(tx => Walk(tx, next.Task, cancellationToken), cancellationToken).ConfigureAwait(false);
                    break;
                case PipelineFinishedOutcome finished:
                    PipelineFinished?.Invoke(this, new PipelineFinishedEventArgs(finished.RootId));
                    return;
                default:
                    return;
            }
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Stale work for node {NodeId} discarded: {Reason}")]
    private partial void LogStale(string nodeId, string reason);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Service hook {Hook} of node {NodeId} failed")]
    private partial void LogHookFailed(Exception exception, string hook, string nodeId);
}
