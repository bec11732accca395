using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;
using Bamboo.Runtime.Tests.Probes;
using Npgsql;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>
/// The database drops a worker's connections while it runs pipelines (a failover, a restart, an administrator's
/// pg_terminate_backend): the worker is not told which of its connections are dead until it uses them. Once the
/// database takes connections again, every pipeline finishes, every node once unless its service was cut off.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Category", "Postgres")]
public sealed class PostgresConnectionLossTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-pg-loss-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Log => Path.Combine(_dir, "executions");

    [Fact]
    public async Task ConnectionsTerminatedAgainAndAgain_MidRun_EveryPipelineFinishes()
    {
        await using var scratch = await PostgresScratch.CreateAsync();
        Assert.SkipWhen(scratch is null, $"{PostgresScratch.Variable} is not set");
        var application = "bamboo_loss_" + Guid.NewGuid().ToString("N")[..12];
        var connection = new NpgsqlConnectionStringBuilder(scratch.Connection) { ApplicationName = application }.ConnectionString;
        await using var store = await PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connection, MaxConnections = 8 });
        var engine = new BambooEngine(store, new ComponentRegistry().AddTestkit().AddComponent<ProbeService>("probe"),
            new EngineOptions { TaskLease = TimeSpan.FromSeconds(2) });
        using var stop = new CancellationTokenSource();
        var logger = new CollectingLogger<EngineWorker>();
        var steps = new CollectingLogger<PipelineEngine>();
        var worker = new EngineWorker(engine, new PipelineEngine(engine, steps), logger).RunAsync(stop.Token);

        var pipelines = Enumerable.Range(0, 20)
            .Select(_ => Trees.Sequence([.. Enumerable.Range(0, 12).Select(_ => Trees.Probe(("log", Log), ("block_ms", 150)))]))
            .ToList();
        foreach (var p in pipelines)
        {
            Assert.True((await EngineApi.RunPipelineAsync(engine, p)).Result);
        }

        // Every 200 ms for 3 s (the pipelines take about 2 s each), every connection of this store is ended by the server.
        for (var i = 0; i < 15; i++)
        {
            await Task.Delay(200);
            await scratch.CountAsync($"SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{application}'");
        }

        foreach (var p in pipelines)
        {
            await WaitUntil.TrueAsync(async () => (await StateOrNullAsync(store, p.Id)) == NodeState.Finished,
                TimeSpan.FromSeconds(60), $"pipeline {p.Id} to finish; the worker reported:\n{string.Join("\n", logger.Entries.Take(10))}");
        }

        var log = new ProbeLog(Log);
        foreach (var id in pipelines.SelectMany(p => p.Activities.Keys))
        {
            Assert.True(log.Count(id) is >= 1 and <= 2, $"node {id} ran {log.Count(id)} times; the worker reported:\n{string.Join("\n", logger.Entries.Concat(steps.Entries).Where(e => e.Contains(id, StringComparison.Ordinal)).Take(20))}");
            Assert.Equal(NodeState.Finished, await StateOrNullAsync(store, id));
        }

        await stop.CancelAsync();
        await worker;
    }

    private static async Task<string?> StateOrNullAsync(PostgresStore store, string id)
    {
        try
        {
            return (await store.ReadAsync(tx => tx.States.GetAsync(id)))?.Name;
        }
        catch (NpgsqlException)
        {
            // The test's own reads may meet a connection the server just ended.
            return null;
        }
    }
}
