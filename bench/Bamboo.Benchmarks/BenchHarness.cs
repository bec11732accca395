using System.Collections.Concurrent;
using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Benchmarks;

/// <summary>
/// A fresh durable store with running, warmed-up workers, and a way to await pipelines to the end: a SQLite file, or,
/// when BAMBOO_BENCH_POSTGRES holds a connection string, a new schema in that PostgreSQL database.
/// </summary>
internal sealed class BenchHarness : IAsyncDisposable
{
    /// <summary>The environment variable that points the bench at a PostgreSQL database.</summary>
    public const string PostgresVariable = "BAMBOO_BENCH_POSTGRES";

    private readonly string _db = Path.Combine(Path.GetTempPath(), "bamboo-bench-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly string? _postgres = Environment.GetEnvironmentVariable(PostgresVariable);
    private readonly string _schema = "bamboo_bench_" + Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new();
    private readonly Task<WorkerExit>? _workers;

    public BenchHarness(bool workers = true)
    {
        Store = _postgres is null
            ? new SqliteStore(new SqliteStoreOptions { DatabasePath = _db })
            : PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = SchemaConnection }).GetAwaiter().GetResult();
        Engine = new BambooEngine(Store, new ComponentRegistry().AddTestkit());
        var engine = new PipelineEngine(Engine, NullLogger<PipelineEngine>.Instance);
        engine.PipelineFinished += (_, e) =>
        {
            if (_waiting.TryRemove(e.RootId, out var done))
            {
                done.TrySetResult();
            }
        };
        if (!workers)
        {
            return;
        }

        _workers = new EngineWorker(Engine, engine, NullLogger<EngineWorker>.Instance).RunAsync(_stop.Token);

        // Each iteration gets a fresh file, but should measure a running engine: one small pipeline first prepares
        // the store's statements and starts its workers, as the first pipelines after a worker starts would. On
        // PostgreSQL a running worker also has its pool of connections open, each with the statements prepared: forty
        // at once open most of it, so a round does not measure a dozen backends starting.
        RunAsync(_postgres is null ? [Sequential(1)] : [.. Enumerable.Range(0, 40).Select(_ => Sequential(1))]).GetAwaiter().GetResult();
    }

    /// <summary>The PostgreSQL connection string of this harness's own schema (created on first use).</summary>
    public string SchemaConnection
    {
        get
        {
            if (!_schemaMade)
            {
                Postgres($"CREATE SCHEMA {_schema}");
                _schemaMade = true;
            }

            return new Npgsql.NpgsqlConnectionStringBuilder(_postgres) { SearchPath = _schema }.ConnectionString;
        }
    }

    private bool _schemaMade;

    private void Postgres(string sql)
    {
        using var connection = new Npgsql.NpgsqlConnection(_postgres);
        connection.Open();
        using var command = new Npgsql.NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public IEngineStore Store { get; }

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
        if (_workers is not null)
        {
            await _workers;
        }

        await ((IAsyncDisposable)Store).DisposeAsync();
        if (_schemaMade)
        {
            Postgres($"DROP SCHEMA {_schema} CASCADE");
        }

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
