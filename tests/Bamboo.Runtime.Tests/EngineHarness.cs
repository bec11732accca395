using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Runtime.Tests;

/// <summary>A temp SQLite store with running workers and the test kit; one per test class.</summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private readonly TempDatabase? _db;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task<WorkerExit>? _workers;

    /// <summary>
    /// The test kit plus <paramref name="registry"/>'s additions; <paramref name="events"/> receives the runtime hooks.
    /// Without <paramref name="databasePath"/> the store is a temp file removed on dispose; <paramref name="options"/> default to 4 claim loops.
    /// </summary>
    public EngineHarness(ComponentRegistry? registry = null, IPipelineEventSink? events = null, string? databasePath = null, EngineOptions? options = null,
        TimeProvider? time = null, bool startWorkers = true)
    {
        if (databasePath is null)
        {
            _db = new TempDatabase("harness");
        }

        DatabasePath = databasePath ?? _db!.Path;
        options ??= new EngineOptions { WorkerCount = 4 };
        Store = new SqliteStore(new SqliteStoreOptions { DatabasePath = DatabasePath, WakeLimit = options.WorkerCount }, time);
        Engine = new BambooEngine(Store, (registry ?? new ComponentRegistry()).AddTestkit(), options, time);
        Pipelines = new PipelineEngine(Engine, NullLogger<PipelineEngine>.Instance, events);
        Worker = new EngineWorker(Engine, Pipelines, NullLogger<EngineWorker>.Instance);
        _workers = startWorkers ? Worker.RunAsync(_stop.Token) : null;
    }

    public SqliteStore Store { get; }

    public BambooEngine Engine { get; }

    public PipelineEngine Pipelines { get; }

    public EngineWorker Worker { get; }

    public string DatabasePath { get; }

    /// <summary>Stops the workers as a process exit would; returns what they handed back.</summary>
    public async Task<WorkerExit?> StopWorkersAsync()
    {
        await _stop.CancelAsync();
        return _workers is null ? null : await _workers;
    }

    public async ValueTask DisposeAsync()
    {
        await StopWorkersAsync();
        await Store.DisposeAsync();
        _stop.Dispose();
        _db?.Dispose();
    }

    public async Task StartAsync(Pipeline pipeline, RunPipelineOptions? options = null)
    {
        var result = await EngineApi.RunPipelineAsync(Engine, pipeline, options);
        Assert.True(result.Result, result.Message);
    }

    public Task<StateRecord?> StateAsync(string nodeId) => Store.ReadAsync(tx => tx.States.GetAsync(nodeId));

    public Task<IReadOnlyList<HistoryRecord>> HistoriesAsync(string nodeId) => Store.ReadAsync(tx => tx.Schedules.GetHistoriesAsync(nodeId));

    public Task<ExecutionDataRecord?> DataAsync(string nodeId) => Store.ReadAsync(tx => tx.Data.GetExecutionDataAsync(nodeId));

    /// <summary>Waits until no task of any run is left, held or not.</summary>
    public Task WaitQueueEmptyAsync(double seconds = 20) =>
        WaitUntil.TrueAsync(() => Task.FromResult(TasksLeft() == 0), TimeSpan.FromSeconds(seconds), "the queue to drain");

    /// <summary>How many tasks the store holds, held or not (read on a connection of its own).</summary>
    public long TasksLeft() => TempDatabase.Count(DatabasePath, "SELECT COUNT(*) FROM tasks");

    public Task WaitStateAsync(string nodeId, string state, double seconds = 20) =>
        WaitUntil.TrueAsync(async () => (await StateAsync(nodeId))?.Name == state, TimeSpan.FromSeconds(seconds), $"{nodeId} to be {state}");

    /// <summary>Waits until the node is FAILED and its process asleep at it (the point where operators may act).</summary>
    public Task WaitFailedAndAsleepAsync(string nodeId) =>
        WaitUntil.TrueAsync(
            () => Store.ReadAsync(async tx => (await tx.States.GetAsync(nodeId))?.Name == NodeState.Failed && (await tx.Processes.GetAtAsync(nodeId, asleep: true, dead: false)).Count == 1),
            TimeSpan.FromSeconds(20), $"{nodeId} to fail");

    /// <summary>start → act(code, inputs) → end; returns the pipeline and the activity id.</summary>
    public static (Pipeline Pipeline, string Act) OneActivity(string code, Dictionary<string, object?>? inputs = null, bool skippable = true, bool retryable = true)
    {
        var act = new ServiceActivity(code, skippable: skippable, retryable: retryable);
        foreach (var (k, v) in inputs ?? [])
        {
            act.Inputs[k] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, System.Text.Json.JsonSerializer.SerializeToNode(v));
        }

        var start = new EmptyStartEvent();
        start.Extend(act).Extend(new EmptyEndEvent());
        return (PipelineBuilder.BuildTree(start), act.Id);
    }
}
