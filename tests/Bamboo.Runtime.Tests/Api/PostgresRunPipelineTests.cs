using Bamboo.Cli.Commands;
using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;
using Bamboo.Runtime.Tests.Storage.Postgres;

namespace Bamboo.Runtime.Tests.Api;

/// <summary>
/// run_pipeline on PostgreSQL, where a run's node ids are checked with the transaction's next statement rather than
/// waited for: a taken id is still refused with the id named, alone in a commit shared with other runs, and a run
/// costs one round trip besides its commit.
/// </summary>
public sealed class PostgresRunPipelineTests : IAsyncLifetime
{
    private readonly PostgresStoreDatabase _db = new("run_pipeline");
    private PostgresStore _store = null!;
    private BambooEngine _engine = null!;

    public async ValueTask InitializeAsync()
    {
        _store = await PostgresStore.OpenAsync(await _db.OptionsAsync());
        // No workers: the runs stay as run_pipeline stored them.
        _engine = new BambooEngine(_store, CliHost.Registry(), new EngineOptions());
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        await _db.DisposeAsync();
    }

    private static Pipeline UnderRoot(Pipeline pipeline, string rootId)
    {
        var copy = pipeline.ToJson();
        copy["id"] = rootId;
        return Pipeline.Parse(copy.ToJsonString());
    }

    [Fact]
    public async Task RunPipeline_TakenRootOrNodeId_RefusedNamingIt()
    {
        var (pipeline, _) = EngineHarness.OneActivity("debug_no_schedule_node");
        Assert.True((await EngineApi.RunPipelineAsync(_engine, pipeline)).Result);

        var again = await EngineApi.RunPipelineAsync(_engine, pipeline);
        var sameNodes = await EngineApi.RunPipelineAsync(_engine, UnderRoot(pipeline, "p_other_root"));

        Assert.IsType<InvalidOperationError>(again.Exception);
        Assert.Contains($"pipeline({pipeline.Id}) already exists", again.Message, StringComparison.Ordinal);
        var idTaken = Assert.IsType<IdTakenError>(sameNodes.Exception);
        Assert.NotEqual(pipeline.Id, idTaken.Id);
        Assert.Equal(pipeline.Id, await _store.ReadAsync(tx => tx.Runs.GetNodeRootAsync(idTaken.Id)));
        Assert.Null(await _store.ReadAsync(tx => tx.Runs.GetAsync("p_other_root")));
    }

    [Fact]
    public async Task RunPipeline_ManyAtOnceSomeTaken_RefusesOnlyThoseAndStartsTheRest()
    {
        var (first, _) = EngineHarness.OneActivity("debug_no_schedule_node");
        Assert.True((await EngineApi.RunPipelineAsync(_engine, first)).Result);
        var fresh = Enumerable.Range(0, 12).Select(_ => EngineHarness.OneActivity("debug_no_schedule_node").Pipeline).ToList();
        var taken = Enumerable.Range(0, 4).Select(i => UnderRoot(first, $"p_taken_{i}")).ToList();

        // Started together, so that they share commits: each taken one must be undone alone.
        var results = await Task.WhenAll(fresh.Concat(taken).Select(p => Task.Run(() => EngineApi.RunPipelineAsync(_engine, p))));

        Assert.All(results.Take(fresh.Count), r => Assert.True(r.Result, r.Message));
        Assert.All(results.Skip(fresh.Count), r => Assert.IsType<IdTakenError>(r.Exception));
        foreach (var p in fresh)
        {
            Assert.NotNull(await _store.ReadAsync(tx => tx.Runs.GetAsync(p.Id)));
        }

        Assert.Equal(fresh.Count + 1L, await _db.CountAsync("SELECT COUNT(*) FROM tasks"));
        Assert.Equal(0L, await _db.CountAsync("SELECT COUNT(*) FROM runs WHERE root_id LIKE 'p_taken_%'"));
    }

    [Fact]
    public async Task RunPipeline_OneRun_OneRoundTripBesidesItsCommit()
    {
        Assert.True((await EngineApi.RunPipelineAsync(_engine, EngineHarness.OneActivity("debug_no_schedule_node").Pipeline)).Result);
        var before = _store.RoundTrips;

        Assert.True((await EngineApi.RunPipelineAsync(_engine, EngineHarness.OneActivity("debug_no_schedule_node").Pipeline)).Result);

        // BEGIN, the ids (checked by the server), the run, its state and its process; then its task and the COMMIT.
        Assert.Equal(2, _store.RoundTrips - before);
    }
}
