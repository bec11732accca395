using System.Text.Json.Nodes;
using Bamboo.Engine.Building;
using Bamboo.Engine.Client;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Tests.Probes;

namespace Bamboo.Runtime.Tests.Limits;

/// <summary>A service that leaves too much data.</summary>
public sealed class HeavyService : Service
{
    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        data.Outputs["blob"] = new string('x', data.GetOneOfInputs("bytes")?.GetValue<int>() ?? 0);
        return ValueTask.FromResult(true);
    }
}

/// <summary>A service whose component default timeout is short, and that never returns on its own.</summary>
public sealed class HangingService : Service
{
    public override TimeSpan? Timeout => TimeSpan.FromMilliseconds(300);

    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        // Ignores its token, as badly written plugins do: the engine must not wait for it. (It gives up after 10 s so
        // the test process does not keep the thread.)
        var started = System.Diagnostics.Stopwatch.StartNew();
        while (started.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(50);
        }

        return ValueTask.FromResult(true);
    }
}

/// <summary>A service that waits (asynchronously) far longer than any test, ignoring its token.</summary>
public sealed class StuckService : Service
{
    public override async ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        await Task.Delay(TimeSpan.FromSeconds(60), CancellationToken.None);
        return true;
    }
}

/// <summary>Limits beyond bamboo: a node's timeout, the weight of a node's data and of a callback.</summary>
public sealed class LimitsTests : IAsyncLifetime
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-limits-").FullName;
    private EngineHarness _h = null!;
    private BambooClient _client = null!;

    public ValueTask InitializeAsync()
    {
        var registry = new ComponentRegistry().AddComponent<ProbeService>("probe").AddComponent<HeavyService>("heavy").AddComponent<HangingService>("hanging");
        _h = new EngineHarness(registry, options: new EngineOptions { MaxNodeDataBytes = 256 * 1024, MaxCallbackBytes = 16 * 1024 });
        _client = new BambooClient(_h.Engine, _h.Pipelines);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "open"), "");
        await _h.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private async Task<PipelineOutcome> RunAsync(Bamboo.Engine.Model.Pipeline pipeline)
    {
        Assert.True((await _client.RunPipelineAsync(pipeline)).Result);
        return await _client.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Timeout_FromTheTree_FailsTheNodeNamingItAndFreesTheSlot()
    {
        var stuck = Trees.Probe(("gate", Path.Combine(_dir, "open")));
        stuck = new ServiceActivity("probe", id: stuck.Id) { Timeout = TimeSpan.FromMilliseconds(400) };
        stuck.Inputs["gate"] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, Path.Combine(_dir, "open"));

        var outcome = await RunAsync(Trees.Sequence(stuck));
        var detail = await _client.GetNodeAsync(stuck.Id);

        Assert.Equal(PipelineEnd.Failed, outcome.End);
        Assert.Contains("timeout", detail!.Error, StringComparison.Ordinal);
        Assert.Contains(stuck.Id, detail.Error, StringComparison.Ordinal);
        Assert.Equal(PipelineEnd.Finished, (await RunAsync(Trees.Sequential(3))).End);
    }

    [Fact]
    public async Task ForcedFail_ServiceStillRunning_RunFailsAtOnceAndTheCallsSlotIsFreed()
    {
        var registry = new ComponentRegistry().AddComponent<StuckService>("stuck").AddTestkit();
        await using var h = new EngineHarness(registry, options: new EngineOptions { MaxConcurrentTasks = 1, MovedOnCheckInterval = TimeSpan.FromMilliseconds(100) });
        var client = new BambooClient(h.Engine, h.Pipelines);
        var stuck = new ServiceActivity("stuck");
        var pipeline = Trees.Sequence(stuck);
        Assert.True((await client.RunPipelineAsync(pipeline)).Result);
        await RunningAsync(client, stuck.Id).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.True((await client.ForcedFailActivityAsync(stuck.Id, "operator: hung")).Result);
        var outcome = await client.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(20));
        var next = Trees.Sequential(2);
        Assert.True((await client.RunPipelineAsync(next)).Result);
        var after = await client.WaitForPipelineAsync(next.Id).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(PipelineEnd.Failed, outcome.End);
        Assert.Equal(stuck.Id, Assert.Single(outcome.Nodes).Id);
        Assert.Equal("operator: hung", (await client.GetNodeAsync(stuck.Id))!.Error);
        // The only slot ran the next run: the stuck call was abandoned.
        Assert.Equal(PipelineEnd.Finished, after.End);
    }

    private static async Task RunningAsync(BambooClient client, string nodeId)
    {
        while ((await client.GetNodeAsync(nodeId))?.Node.State != Bamboo.Engine.Execution.NodeState.Running)
        {
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Timeout_ComponentDefault_AppliesWhenTheTreeHasNone()
    {
        var hanging = new ServiceActivity("hanging");

        var outcome = await RunAsync(Trees.Sequence(hanging));

        Assert.Equal(PipelineEnd.Failed, outcome.End);
        Assert.Contains("timeout", (await _client.GetNodeAsync(hanging.Id))!.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataLimit_ServiceLeavesTooMuch_FailsTheNodeNamingTheLimit()
    {
        var heavy = new ServiceActivity("heavy");
        heavy.Inputs["bytes"] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, 1024 * 1024);
        var light = new ServiceActivity("heavy");
        light.Inputs["bytes"] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, 1024);

        var failed = await RunAsync(Trees.Sequence(heavy));
        var fine = await RunAsync(Trees.Sequence(light));

        Assert.Equal(PipelineEnd.Failed, failed.End);
        var detail = await _client.GetNodeAsync(heavy.Id);
        Assert.Contains("MaxNodeDataBytes", detail!.Error, StringComparison.Ordinal);
        Assert.Null(detail.Outputs["blob"]);
        Assert.Equal(PipelineEnd.Finished, fine.End);
    }

    [Fact]
    public async Task CallbackLimit_TooHeavy_IsRefusedAndTheNodeStillWaits()
    {
        var waiting = new ServiceActivity("callback_node");
        var pipeline = Trees.Sequence(waiting);
        Assert.Equal(PipelineEnd.WaitingForCallback, (await RunAsync(pipeline)).End);

        var refused = await _client.CallbackAsync(waiting.Id, new JsonObject { ["blob"] = new string('x', 64 * 1024) });

        Assert.False(refused.Result);
        Assert.Contains("MaxCallbackBytes", refused.Message, StringComparison.Ordinal);
        Assert.Equal(PipelineEnd.WaitingForCallback, (await _client.GetOutcomeAsync(pipeline.Id))!.End);
        Assert.True((await _client.CallbackAsync(waiting.Id, new JsonObject { ["bit"] = 1 })).Result);
        Assert.Equal(PipelineEnd.Finished, (await _client.WaitForPipelineAsync(pipeline.Id).WaitAsync(TimeSpan.FromSeconds(30))).End);
    }
}
