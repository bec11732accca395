using BenchmarkDotNet.Attributes;
using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Client;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Benchmarks;

/// <summary>
/// What operators ask of a big store, warm: the states of a finished 1000-node pipeline, and a page of 50 runs out of
/// 100,000 (first page, and one deep in the list by cursor). Targets (issue "The operator surface"): ≤ 2 ms and ≤ 5 ms.
/// </summary>
[MemoryDiagnoser]
#pragma warning disable CA1001 // Disposed in GlobalCleanup, which BenchmarkDotNet calls.
public class QueryBenchmarks
#pragma warning restore CA1001
{
    private readonly string _db = Path.Combine(Path.GetTempPath(), "bamboo-bench-queries-" + Guid.NewGuid().ToString("N") + ".db");
    private SqliteStore _store = null!;
    private BambooClient _client = null!;
    private string _big = "";
    private string _deepCursor = "";

    [GlobalSetup]
    public void Setup() => SetupAsync().GetAwaiter().GetResult();

    private async Task SetupAsync()
    {
        _store = new SqliteStore(new SqliteStoreOptions { DatabasePath = _db });
        var engine = new BambooEngine(_store, new ComponentRegistry().AddTestkit());
        var pipelines = new PipelineEngine(engine, NullLogger<PipelineEngine>.Instance);
        _client = new BambooClient(engine, pipelines);

        // One finished 1000-node run, its workers stopped before anything is measured.
        using (var stop = new CancellationTokenSource())
        {
            var workers = new EngineWorker(engine, pipelines, NullLogger<EngineWorker>.Instance).RunAsync(stop.Token);
            var big = BenchHarness.Sequential(998);
            _big = big.Id;
            Check(await _client.RunPipelineAsync(big));
            await _client.WaitForPipelineAsync(_big);
            await stop.CancelAsync();
            await workers;
        }

        // 100,000 runs started (they stay RUNNING: no worker), started in batches so they share commits.
        for (var batch = 0; batch < 100; batch++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => _client.RunPipelineAsync(BenchHarness.Sequential(1))));
            Array.ForEach(results, Check);
        }

        var page = await _client.ListPipelinesAsync(new PipelineQuery { Limit = 500 });
        for (var i = 0; i < 100 && page.Next is not null; i++)
        {
            _deepCursor = page.Next;
            page = await _client.ListPipelinesAsync(new PipelineQuery { Limit = 500, After = page.Next });
        }
    }

    private static void Check(EngineApiResult result)
    {
        if (!result.Result)
        {
            throw new InvalidOperationException(result.Message);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store.Dispose();
        foreach (var f in new[] { _db, _db + "-wal", _db + "-shm" })
        {
            File.Delete(f);
        }
    }

    [Benchmark]
    public Task<EngineApiResult> States1000Nodes() => _client.GetPipelineStatesAsync(_big);

    [Benchmark]
    public Task<PipelineView?> View1000Nodes() => _client.GetPipelineAsync(_big);

    [Benchmark]
    public Task<PipelinePage> FirstPageOf50() => _client.ListPipelinesAsync(new PipelineQuery { Limit = 50 });

    [Benchmark]
    public Task<PipelinePage> DeepPageOf50() => _client.ListPipelinesAsync(new PipelineQuery { Limit = 50, After = _deepCursor });
}
