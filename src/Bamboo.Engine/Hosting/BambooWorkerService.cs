using Bamboo.Engine.Execution;
using Microsoft.Extensions.Hosting;

namespace Bamboo.Engine.Hosting;

/// <summary>Runs the engine's workers for the lifetime of the host.</summary>
public sealed class BambooWorkerService(EngineWorker worker) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => worker.RunAsync(stoppingToken);
}
