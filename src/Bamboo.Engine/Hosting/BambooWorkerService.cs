using Bamboo.Engine.Execution;
using Microsoft.Extensions.Hosting;

namespace Bamboo.Engine.Hosting;

/// <summary>
/// Runs the engine's workers for the lifetime of the host, from the moment it has started: a host that fails to start
/// (a web server whose port is taken, say) has claimed no task and started no service.
/// </summary>
public sealed class BambooWorkerService(EngineWorker worker, IHostApplicationLifetime lifetime) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }

        await worker.RunAsync(stoppingToken).ConfigureAwait(false);
    }
}
