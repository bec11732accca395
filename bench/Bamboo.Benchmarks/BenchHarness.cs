using System.Collections.Concurrent;
using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Benchmarks;

/// <summary>A fresh durable SQLite store with running, warmed-up workers, and a way to await pipelines to the end.</summary>
internal sealed class BenchHarness : IAsyncDisposable
{
    private readonly string _db = Path.Combine(Path.GetTempPath(), "bamboo-bench-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new();
    private readonly Task<WorkerExit> _workers;

    public BenchHarness()
    {
        Store = new SqliteStore(new SqliteStoreOptions { DatabasePath = _db });
        Engine = new BambooEngine(Store, new ComponentRegistry().AddTestkit());
        var engine = new PipelineEngine(Engine, NullLogger<PipelineEngine>.Instance);
        engine.PipelineFinished += (_, e) =>
        {
            if (_waiting.TryRemove(e.RootId, out var done))
            {
                done.TrySetResult();
            }
        };
        _workers = new EngineWorker(Engine, engine, NullLogger<EngineWorker>.Instance).RunAsync(_stop.Token);

        // Each iteration gets a fresh file, but should measure a running engine: one small pipeline first prepares
        // the store's statements and starts its workers, as the first pipelines after a worker starts would.
        RunAsync([Sequential(1)]).GetAwaiter().GetResult();
    }

    public SqliteStore Store { get; }

    public BambooEngine Engine { get; }

    /// <summary>Starts every pipeline at once and completes when all of them finished.</summary>
    public async Task RunAsync(IReadOnlyList<Pipeline> pipelines)
    {
        var done = pipelines.Select(p => _waiting.GetOrAdd(p.Id, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task).ToList();
        var started = await Task.WhenAll(pipelines.Select(p => EngineApi.RunPipelineAsync(Engine, p)));
        if (started.FirstOrDefault(r => !r.Result) is { } refused)
        {
            throw new InvalidOperationException(refused.Message);
        }

        await Task.WhenAll(done).WaitAsync(TimeSpan.FromMinutes(2));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _workers;
        await Store.DisposeAsync();
        _stop.Dispose();
        foreach (var f in new[] { _db, _db + "-wal", _db + "-shm" })
        {
            File.Delete(f);
        }
    }

    /// <summary>start → n activities → end.</summary>
    public static Pipeline Sequential(int activities, string code = "empty_node")
    {
        var start = new EmptyStartEvent();
        Element tail = start;
        for (var i = 0; i < activities; i++)
        {
            tail = tail.Extend(new ServiceActivity(code));
        }

        tail.Extend(new EmptyEndEvent());
        return PipelineBuilder.BuildTree(start);
    }

    /// <summary>start → pg → branches × length activities → cg → end.</summary>
    public static Pipeline FanOut(int branches, int length, string code = "empty_node")
    {
        var start = new EmptyStartEvent();
        var pg = start.Extend(new ParallelGateway());
        for (var b = 0; b < branches; b++)
        {
            Element tail = pg;
            for (var i = 0; i < length; i++)
            {
                tail = i == 0 ? pg.Connect(new ServiceActivity(code)).Outgoing[^1] : tail.Extend(new ServiceActivity(code));
            }
        }

        pg.Converge(new ConvergeGateway()).Extend(new EmptyEndEvent());
        return PipelineBuilder.BuildTree(start);
    }
}
