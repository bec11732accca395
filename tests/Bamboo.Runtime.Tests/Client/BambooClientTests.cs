using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Client;
using Bamboo.Engine.Execution;
using Bamboo.Runtime.Tests.Probes;

namespace Bamboo.Runtime.Tests.Client;

/// <summary>The client: waiting for a pipeline's end across processes, callbacks without a version, typed queries.</summary>
public sealed class BambooClientTests : IAsyncLifetime
{
    private readonly EngineHarness _h = new();
    private BambooClient _sut = null!;

    public ValueTask InitializeAsync()
    {
        _sut = new BambooClient(_h.Engine);
        return ValueTask.CompletedTask;
    }

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private static ServiceActivity Failing() => new("fail_ctrl_node");

    [Fact]
    public async Task WaitForPipeline_Finished_ReportsFinishedAndOutputsAreThere()
    {
        var pipeline = Trees.Sequential(3);
        Assert.True((await _sut.RunPipelineAsync(pipeline)).Result);

        var outcome = await _sut.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(PipelineEnd.Finished, outcome.End);
        Assert.NotNull(await _sut.GetPipelineOutputsAsync(pipeline.Id));
        Assert.Null(await _sut.GetPipelineOutputsAsync("p_no_such_run"));
    }

    [Fact]
    public async Task WaitForPipeline_FailedNode_NamesItAndTheNodeDetailSaysWhyAndWhatToDo()
    {
        var failing = Failing();
        var pipeline = Trees.Sequence(failing);
        Assert.True((await _sut.RunPipelineAsync(pipeline)).Result);

        var outcome = await _sut.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20));
        var detail = await _sut.GetNodeAsync(failing.Id);

        Assert.Equal(PipelineEnd.Failed, outcome.End);
        Assert.Equal(failing.Id, Assert.Single(outcome.Nodes).Id);
        Assert.NotNull(detail);
        Assert.Equal(NodeState.Failed, detail.Node.State);
        Assert.Equal("fail_ctrl_node", detail.Node.Component);
        Assert.False(string.IsNullOrEmpty(detail.Error));
        Assert.Equal(["retry_node", "skip_node"], detail.Actions);
        Assert.Null(await _sut.GetNodeAsync("no_such_node"));
    }

    [Fact]
    public async Task GetNode_FailedNodeOfARevokedRun_OffersNothing()
    {
        var failing = Failing();
        var pipeline = Trees.Sequence(failing);
        Assert.True((await _sut.RunPipelineAsync(pipeline)).Result);
        Assert.Equal(PipelineEnd.Failed, (await _sut.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20))).End);

        Assert.True((await _sut.RevokePipelineAsync(pipeline.Id)).Result);

        Assert.Empty((await _sut.GetNodeAsync(failing.Id))!.Actions);
    }

    [Fact]
    public async Task Callback_WithoutVersion_ReachesTheWaitingAttempt()
    {
        var waiting = new ServiceActivity("callback_node");
        var pipeline = Trees.Sequence(waiting);
        Assert.True((await _sut.RunPipelineAsync(pipeline)).Result);
        var stopped = await _sut.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(PipelineEnd.WaitingForCallback, stopped.End);
        Assert.Contains("callback", (await _sut.GetNodeAsync(waiting.Id))!.Actions);

        var result = await _sut.CallbackAsync(waiting.Id, new JsonObject { ["bit"] = 1 });

        Assert.True(result.Result, result.Message);
        Assert.Equal(PipelineEnd.Finished, (await _sut.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20))).End);
        Assert.False((await _sut.CallbackAsync("no_such_node")).Result);
    }

    [Fact]
    public async Task GetOutcome_CallbackWaitWithAPauseFurtherOn_IsTheCallbackWait()
    {
        var waiting = new ServiceActivity("callback_node");
        var later = new ServiceActivity("empty_node");
        var pipeline = Trees.Sequence(waiting, later);
        Assert.True((await _sut.RunPipelineAsync(pipeline)).Result);
        Assert.Equal(PipelineEnd.WaitingForCallback, (await _sut.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20))).End);

        Assert.True((await _sut.PauseNodeAppointAsync(later.Id)).Result);

        // The pause is not reached yet: the run still waits for the callback, and says so.
        var outcome = (await _sut.GetOutcomeAsync(pipeline.Id))!;
        Assert.Equal(PipelineEnd.WaitingForCallback, outcome.End);
        Assert.Equal(waiting.Id, Assert.Single(outcome.Nodes).Id);

        // Once the callback is in, the run stops at the pause.
        Assert.True((await _sut.CallbackAsync(waiting.Id, new JsonObject { ["bit"] = 1 })).Result);
        var paused = await _sut.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(PipelineEnd.Suspended, paused.End);
        Assert.Equal(later.Id, Assert.Single(paused.Nodes).Id);
    }

    [Fact]
    public async Task TaskEnded_RaisedWhereARunStops_NotAtEveryNode()
    {
        // What a local client's wait wakes on: each woken wait reads the store between the workers' steps.
        var ended = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var hooks = 0;
        _h.Pipelines.TaskEnded += ended.Enqueue;
        _h.Pipelines.EventRaised += (_, _) => Interlocked.Increment(ref hooks);
        var sequential = Trees.Sequential(20);
        var waiting = Trees.Sequence(new ServiceActivity("callback_node"));
        var failing = Trees.Sequence(Failing());

        foreach (var pipeline in new[] { sequential, waiting, failing })
        {
            Assert.True((await _sut.RunPipelineAsync(pipeline)).Result);
        }

        Assert.Equal(PipelineEnd.Finished, (await _sut.WaitForPipelineAsync(sequential.Id).WaitAsync(TimeSpan.FromSeconds(20))).End);
        Assert.Equal(PipelineEnd.WaitingForCallback, (await _sut.WaitForPipelineAsync(waiting.Id).WaitAsync(TimeSpan.FromSeconds(20))).End);
        Assert.Equal(PipelineEnd.Failed, (await _sut.WaitForPipelineAsync(failing.Id).WaitAsync(TimeSpan.FromSeconds(20))).End);
        await WaitUntil.TrueAsync(() => Task.FromResult(ended.Contains(sequential.Id) && ended.Contains(waiting.Id) && ended.Contains(failing.Id)), TimeSpan.FromSeconds(20), "each run's task to end");
        Assert.InRange(ended.Count(id => id == sequential.Id), 1, 2);
        Assert.True(hooks > 40, $"{hooks} hooks");
    }

    [Fact]
    public async Task WaitForPipeline_PausedAndRevoked_SayWhichEnd()
    {
        var paused = Trees.Sequence(new ServiceActivity("callback_node"));
        var revoked = Trees.Sequence(new ServiceActivity("callback_node"));
        Assert.True((await _sut.RunPipelineAsync(paused)).Result);
        Assert.True((await _sut.RunPipelineAsync(revoked)).Result);
        await _sut.WaitForPipelineAsync(paused.Id).WaitAsync(TimeSpan.FromSeconds(20));
        await _sut.WaitForPipelineAsync(revoked.Id).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True((await _sut.PausePipelineAsync(paused.Id)).Result);
        Assert.True((await _sut.RevokePipelineAsync(revoked.Id)).Result);

        Assert.Equal(PipelineEnd.Suspended, (await _sut.WaitForPipelineAsync(paused.Id).WaitAsync(TimeSpan.FromSeconds(20))).End);
        Assert.Equal(PipelineEnd.Revoked, (await _sut.WaitForPipelineAsync(revoked.Id).WaitAsync(TimeSpan.FromSeconds(20))).End);
        await Assert.ThrowsAsync<Bamboo.Engine.Exceptions.NotFoundError>(() => _sut.WaitForPipelineAsync("p_no_such_run"));
    }

    [Fact]
    public async Task WaitForPipeline_FromAnotherProcessesStore_SeesTheEnd()
    {
        await using var other = new EngineHarness(databasePath: _h.DatabasePath, startWorkers: false);
        var pipeline = Trees.Sequential(5);
        Assert.True((await _sut.RunPipelineAsync(pipeline)).Result);

        var outcome = await new BambooClient(other.Engine).WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(PipelineEnd.Finished, outcome.End);
    }

    [Fact]
    public async Task WaitForPipeline_NoWorkerHasTheComponent_SaysWhatItWaitsFor()
    {
        var pipeline = Trees.Sequence(Trees.Probe());
        Assert.True((await _sut.RunPipelineAsync(pipeline)).Result);

        var outcome = await _sut.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(PipelineEnd.WaitingForWorker, outcome.End);
        Assert.Equal(["component probe (version legacy)"], outcome.Requirements);
    }

    [Fact]
    public async Task WaitForPipeline_NoWorkerRunningAtAll_SaysSoAndFinishesOnceOneStarts()
    {
        await using var idle = new EngineHarness(startWorkers: false);
        var client = new BambooClient(idle.Engine);
        var pipeline = Trees.Sequential(2);
        Assert.True((await client.RunPipelineAsync(pipeline)).Result);

        var stranded = await client.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20));
        await using var worker = new EngineHarness(databasePath: idle.DatabasePath);
        await WorkerRegisteredAsync(idle).WaitAsync(TimeSpan.FromSeconds(20));
        var finished = await client.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(PipelineEnd.WaitingForWorker, stranded.End);
        Assert.Empty(stranded.Requirements);
        Assert.Equal(PipelineEnd.Finished, finished.End);
    }

    private static async Task WorkerRegisteredAsync(EngineHarness store)
    {
        while ((await store.Store.Workers.ListAsync()).Count == 0)
        {
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task ListPipelines_PagesByCursor_FiltersByStateAndText()
    {
        var named = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            var p = Trees.Sequential(1);
            Assert.True((await _sut.RunPipelineAsync(p, new RunPipelineOptions { Name = i % 2 == 0 ? $"deploy web {i}" : $"backup {i}" })).Result);
            named.Add(p.Id);
        }

        var failing = Trees.Sequence(Failing());
        Assert.True((await _sut.RunPipelineAsync(failing, new RunPipelineOptions { Name = "deploy db" })).Result);
        foreach (var id in named.Append(failing.Id))
        {
            await _sut.WaitForPipelineAsync(id).WaitAsync(TimeSpan.FromSeconds(20));
        }

        var first = await _sut.ListPipelinesAsync(new PipelineQuery { Limit = 5 });
        var second = await _sut.ListPipelinesAsync(new PipelineQuery { Limit = 5, After = first.Next });
        var deploys = await _sut.ListPipelinesAsync(new PipelineQuery { Text = "deploy" });
        var running = await _sut.ListPipelinesAsync(new PipelineQuery { State = NodeState.Running });

        Assert.Equal(5, first.Items.Count);
        Assert.NotNull(first.Next);
        Assert.Equal(3, second.Items.Count);
        Assert.Null(second.Next);
        Assert.Equal(8, first.Items.Concat(second.Items).Select(p => p.Id).Distinct().Count());
        Assert.True(first.Items.Concat(second.Items).Zip(first.Items.Concat(second.Items).Skip(1)).All(pair => pair.First.CreatedAt >= pair.Second.CreatedAt));
        Assert.Equal(5, deploys.Items.Count);
        Assert.Equal(failing.Id, Assert.Single(running.Items).Id);
        await Assert.ThrowsAsync<ArgumentException>(() => _sut.ListPipelinesAsync(new PipelineQuery { After = "not a cursor" }));
    }

    [Fact]
    public async Task GetPipeline_ListsEveryNodeInFlowOrderWithNames()
    {
        var named = new ServiceActivity("empty_node", name: "say hello");
        var pipeline = Trees.Sequence(named);
        Assert.True((await _sut.RunPipelineAsync(pipeline)).Result);
        await _sut.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20));

        var view = await _sut.GetPipelineAsync(pipeline.Id);

        Assert.NotNull(view);
        Assert.Equal(NodeState.Finished, view.State);
        Assert.Equal(3, view.Nodes.Count);
        Assert.Equal("say hello", view.Nodes[1].Name);
        Assert.All(view.Nodes, n => Assert.Equal(NodeState.Finished, n.State));
        Assert.Null(await _sut.GetPipelineAsync("p_no_such_run"));
    }
}
