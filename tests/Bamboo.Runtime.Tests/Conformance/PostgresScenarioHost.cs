using Bamboo.Cli.Commands;
using Bamboo.Engine;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;
using Bamboo.Runtime.Tests.Storage.Postgres;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Runtime.Tests.Conformance;

/// <summary>
/// What the CLI's conformance runner gives a scenario, on PostgreSQL: an engine with the CLI's components and running
/// workers, on a fresh schema (dropped on dispose) whose due times are on the database's clock.
/// </summary>
internal sealed class PostgresScenarioHost : IAsyncDisposable
{
    private readonly PostgresStoreDatabase _db;
    private readonly PostgresStore _store;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<WorkerExit> _workers;

    private PostgresScenarioHost(PostgresStoreDatabase db, PostgresStore store)
    {
        _db = db;
        _store = store;
        var options = new EngineOptions();
        Engine = new BambooEngine(store, CliHost.Registry(), options);
        var pipelines = new PipelineEngine(Engine, NullLogger<PipelineEngine>.Instance);
        var worker = new EngineWorker(Engine, pipelines, NullLogger<EngineWorker>.Instance);
        worker.StoreFailed += (_, e) => StoreError ??= e.Error;
        _workers = worker.RunAsync(_stop.Token);
    }

    public BambooEngine Engine { get; }

    /// <summary>The first store failure the workers met, or null: a scenario that failed because of one says so.</summary>
    public Exception? StoreError { get; private set; }

    public static async Task<PostgresScenarioHost> StartAsync()
    {
        var db = new PostgresStoreDatabase("conformance", databaseClock: true);
        var options = await db.OptionsAsync();
        options.WakeLimit = new EngineOptions().WorkerCount;
        return new PostgresScenarioHost(db, await PostgresStore.OpenAsync(options));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _workers;
        await _store.DisposeAsync();
        await _db.DisposeAsync();
        _stop.Dispose();
    }
}
