using Bamboo.Engine;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>The hosted workers begin once the host has started: a host that fails to start has claimed nothing.</summary>
public sealed class WorkerServiceTests
{
    [Fact]
    public async Task StartAsync_BeforeTheHostHasStarted_RunsNoWorkerUntilItHas()
    {
        using var db = new TempDatabase("worker-service");
        await using var store = db.OpenStore();
        var worker = NewWorker(store);
        using var lifetime = new Lifetime();
        using var sut = new BambooWorkerService(worker, lifetime);

        await sut.StartAsync(TestContext.Current.CancellationToken);
        var before = worker.Registered.IsCompleted;
        var registeredBefore = await store.Workers.ListAsync(TestContext.Current.CancellationToken);
        await lifetime.Start();
        await worker.Registered.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var registeredAfter = await store.Workers.ListAsync(TestContext.Current.CancellationToken);
        await sut.StopAsync(TestContext.Current.CancellationToken);

        Assert.False(before);
        Assert.Empty(registeredBefore);
        Assert.Single(registeredAfter);
    }

    [Fact]
    public async Task StopAsync_HostNeverStarted_EndsWithoutRunningAWorker()
    {
        using var db = new TempDatabase("worker-service-stop");
        await using var store = db.OpenStore();
        var worker = NewWorker(store);
        using var lifetime = new Lifetime();
        using var sut = new BambooWorkerService(worker, lifetime);

        await sut.StartAsync(TestContext.Current.CancellationToken);
        await sut.StopAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.False(worker.Registered.IsCompleted);
        Assert.Empty(await store.Workers.ListAsync(TestContext.Current.CancellationToken));
    }

    private static EngineWorker NewWorker(Bamboo.Runtime.Sqlite.SqliteStore store)
    {
        var engine = new BambooEngine(store, new ComponentRegistry());
        return new EngineWorker(engine, new PipelineEngine(engine, NullLogger<PipelineEngine>.Instance), NullLogger<EngineWorker>.Instance);
    }

    private sealed class Lifetime : IHostApplicationLifetime, IDisposable
    {
        private readonly CancellationTokenSource _started = new();

        public CancellationToken ApplicationStarted => _started.Token;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public Task Start() => _started.CancelAsync();

        public void StopApplication()
        {
        }

        public void Dispose() => _started.Dispose();
    }
}
