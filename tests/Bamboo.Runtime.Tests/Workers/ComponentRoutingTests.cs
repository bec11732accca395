using Bamboo.Engine.Api;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Tests.Probes;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>A worker claims only what it can run: a node whose component it lacks waits for a worker that has it.</summary>
public sealed class ComponentRoutingTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new("routing");

    public ValueTask DisposeAsync()
    {
        _db.Dispose();
        return ValueTask.CompletedTask;
    }

    private static ComponentRegistry Probes() => new ComponentRegistry().AddComponent<ProbeService>("probe");

    // start → empty_node → probe → end
    [Fact]
    public async Task Run_WorkerLacksTheComponent_NodeWaitsUntilAWorkerWithItFinishesIt()
    {
        var probe = Trees.Probe();
        var pipeline = Trees.Sequence(new Bamboo.Engine.Building.ServiceActivity("empty_node"), probe);
        await using (var without = new EngineHarness(databasePath: _db.Path))
        {
            await without.StartAsync(pipeline);

            await WaitUntil.TrueAsync(async () => (await without.Store.ReadAsync(tx => tx.Tasks.GetForRootAsync(pipeline.Id))) is [{ LeaseOwner: null, Requires: not null }],
                TimeSpan.FromSeconds(20), "the task to wait for a worker with the component");
            var waiting = (await without.Store.ReadAsync(tx => tx.Tasks.GetForRootAsync(pipeline.Id)))[0];
            Assert.Equal(Requirement.Component("probe", ComponentRegistry.DefaultVersion), waiting.Requires);
            Assert.Equal(probe.Id, waiting.NodeId);
            Assert.Null(await without.StateAsync(probe.Id));
            Assert.Equal(NodeState.Running, (await without.StateAsync(pipeline.Id))?.Name);
        }

        await using var with = new EngineHarness(Probes(), databasePath: _db.Path);
        await with.WaitStateAsync(pipeline.Id, NodeState.Finished);
        Assert.Equal(NodeState.Finished, (await with.StateAsync(probe.Id))?.Name);
    }

    [Fact]
    public async Task RunPipeline_CheckComponents_RefusesAnUnknownComponentNamingTheNode()
    {
        await using var h = new EngineHarness(databasePath: _db.Path, startWorkers: false);
        var probe = Trees.Probe();
        var pipeline = Trees.Sequence(probe);

        var refused = await EngineApi.RunPipelineAsync(h.Engine, pipeline, new RunPipelineOptions { CheckComponents = true });

        Assert.False(refused.Result);
        Assert.Contains(probe.Id, refused.Message, StringComparison.Ordinal);
        Assert.Contains("probe", refused.Message, StringComparison.Ordinal);
        Assert.Null(await h.StateAsync(pipeline.Id));
        Assert.True((await EngineApi.RunPipelineAsync(h.Engine, pipeline)).Result);
    }

    [Fact]
    public async Task Run_ScopedToOneRun_ClaimsNoTaskOfAnother()
    {
        await using var starter = new EngineHarness(databasePath: _db.Path, startWorkers: false);
        var mine = Trees.Sequential(3);
        var other = Trees.Sequential(3);
        await starter.StartAsync(mine);
        await starter.StartAsync(other);

        await using var scoped = new EngineHarness(databasePath: _db.Path, startWorkers: false);
        var worker = new EngineWorker(scoped.Engine, scoped.Pipelines, Microsoft.Extensions.Logging.Abstractions.NullLogger<EngineWorker>.Instance) { Roots = [mine.Id] };
        using var stop = new CancellationTokenSource();
        var running = worker.RunAsync(stop.Token);
        await scoped.WaitStateAsync(mine.Id, NodeState.Finished);
        await stop.CancelAsync();
        var exit = await running;

        Assert.Equal(0, exit.TasksHandedBack);
        Assert.Equal(NodeState.Running, (await scoped.StateAsync(other.Id))?.Name);
        Assert.Single(await scoped.Store.ReadAsync(tx => tx.Tasks.GetForRootAsync(other.Id)));
    }
}
