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
    private readonly Task _workers;

    /// <summary>
    /// The test kit plus <paramref name="registry"/>'s additions; <paramref name="events"/> receives the runtime hooks.
    /// Without <paramref name="databasePath"/> the store is a temp file removed on dispose; <paramref name="options"/> default to 4 claim loops.
    /// </summary>
    public EngineHarness(ComponentRegistry? registry = null, IPipelineEventSink? events = null, string? databasePath = null, EngineOptions? options = null)
    {
        if (databasePath is null)
        {
            _db = new TempDatabase("harness");
        }

        DatabasePath = databasePath ?? _db!.Path;
        Runtime = new SqliteRuntime(new SqliteRuntimeOptions { DatabasePath = DatabasePath }, (registry ?? new ComponentRegistry()).AddTestkit(), options ?? new EngineOptions { WorkerCount = 4 });
        var engine = new PipelineEngine(Runtime, NullLogger<PipelineEngine>.Instance, events);
        _workers = new EngineWorker(Runtime, engine, NullLogger<EngineWorker>.Instance).RunAsync(_stop.Token);
    }

    public SqliteRuntime Runtime { get; }

    public string DatabasePath { get; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _workers;
        await Runtime.DisposeAsync();
        _stop.Dispose();
        _db?.Dispose();
    }

    public async Task StartAsync(Pipeline pipeline, RunPipelineOptions? options = null)
    {
        var result = await EngineApi.RunPipelineAsync(Runtime, pipeline, options);
        Assert.True(result.Result, result.Message);
    }

    public Task<StateRecord?> StateAsync(string nodeId) => Runtime.ReadAsync(tx => tx.GetState(nodeId));

    public Task WaitStateAsync(string nodeId, string state, double seconds = 20) =>
        WaitUntil.TrueAsync(async () => (await StateAsync(nodeId))?.Name == state, TimeSpan.FromSeconds(seconds), $"{nodeId} to be {state}");

    /// <summary>Waits until the node is FAILED and its process asleep at it (the point where operators may act).</summary>
    public Task WaitFailedAndAsleepAsync(string nodeId) =>
        WaitUntil.TrueAsync(
            () => Runtime.ReadAsync(tx => tx.GetState(nodeId)?.Name == NodeState.Failed && tx.GetProcessesAt(nodeId, asleep: true, dead: false).Count == 1),
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
