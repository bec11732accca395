using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Runtime.Tests.Probes;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>
/// CLI commands drive only the pipeline they were given and leave nothing held when they exit: on a store with 50
/// pipelines queued, revoke, pause and run of another tree cause no node to run twice.
/// </summary>
[Trait("Category", "Slow")]
public sealed class OperatorProcessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-operators-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "store.db");

    private string Log => Path.Combine(_dir, "executions");

    private static ComponentRegistry Probes() => new ComponentRegistry().AddComponent<ProbeService>("probe");

    private Bamboo.Engine.Model.Pipeline Logged(int activities) =>
        Trees.Sequence([.. Enumerable.Range(0, activities).Select(_ => (Element)Trees.Probe(("log", Log)))]);

    private async Task<int> RunCliAsync(params string[] args)
    {
        using var cli = CliProcess.Start([.. args, "--db", Db]);
        return await cli.ExitCodeAsync(TimeSpan.FromSeconds(60));
    }

    private long Held() => TempDatabase.Count(Db, "SELECT COUNT(*) FROM tasks WHERE lease_owner IS NOT NULL");

    private long Workers() => TempDatabase.Count(Db, "SELECT COUNT(*) FROM workers");

    [Fact]
    public async Task Verbs_OnAStoreWithFiftyQueuedPipelines_TouchOnlyTheirOwnAndLeaveNothingHeld()
    {
        var pipelines = Enumerable.Range(0, 50).Select(_ => Logged(9)).ToList();
        await using (var starter = new EngineHarness(Probes(), databasePath: Db, startWorkers: false))
        {
            foreach (var p in pipelines)
            {
                await starter.StartAsync(p);
            }
        }

        var (revoked, paused) = (pipelines[0], pipelines[1]);
        var other = Logged(3);

        Assert.Equal(0, await RunCliAsync("revoke", revoked.Id));
        Assert.Equal(0, Held());
        Assert.Equal(0, Workers());
        Assert.Equal(0, await RunCliAsync("pause", paused.Id));
        Assert.Equal(0, await RunCliAsync("run", Trees.WriteTo(other, _dir)));
        Assert.Equal(0, Held());
        Assert.Equal(0, Workers());

        // Only the run's own nodes ran: the 49 others are still queued, untouched.
        var ran = new ProbeLog(Log).Executions();
        Assert.Equal(Trees.NodeIds(other).Intersect(ran).Count(), ran.Count);

        await using var worker = new EngineHarness(Probes(), databasePath: Db);
        Assert.True((await EngineApi.ResumePipelineAsync(worker.Engine, paused.Id)).Result);
        foreach (var p in pipelines.Skip(1))
        {
            await worker.WaitStateAsync(p.Id, NodeState.Finished, 60);
        }

        var executions = new ProbeLog(Log).Executions().GroupBy(id => id).ToList();
        Assert.All(executions, g => Assert.Single(g));
        Assert.Equal((49 * 9) + 3, executions.Count);
        Assert.Equal(Bamboo.Engine.Execution.NodeState.Revoked, (await worker.StateAsync(revoked.Id))?.Name);
    }
}
