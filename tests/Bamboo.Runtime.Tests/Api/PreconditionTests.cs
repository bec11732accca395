using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Execution;

namespace Bamboo.Runtime.Tests.Api;

/// <summary>Every precondition failure of spec/api.md: result false, a message naming the node and states, nothing changed.</summary>
public sealed class PreconditionTests : IAsyncLifetime
{
    private readonly EngineHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private static void Refused(EngineApiResult result, params string[] mentions)
    {
        Assert.False(result.Result);
        Assert.NotNull(result.Exception);
        Assert.IsAssignableFrom<BambooException>(result.Exception);
        foreach (var m in mentions)
        {
            Assert.Contains(m, result.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>Runs start → fail_ctrl_node → end until the activity is FAILED.</summary>
    private async Task<(string Root, string Act)> FailedAsync(bool skippable = true, bool retryable = true)
    {
        var (pipeline, act) = EngineHarness.OneActivity("fail_ctrl_node", skippable: skippable, retryable: retryable);
        await _h.StartAsync(pipeline);
        await _h.WaitFailedAndAsleepAsync(act);
        return (pipeline.Id, act);
    }

    /// <summary>Runs start → callback_node → end until the activity waits for its callback.</summary>
    private async Task<(string Root, string Act)> WaitingAsync()
    {
        var (pipeline, act) = EngineHarness.OneActivity("callback_node");
        await _h.StartAsync(pipeline);
        await WaitUntil.TrueAsync(() => _h.Store.ReadAsync(async tx => (await tx.Processes.GetAtAsync(act, asleep: true, dead: false)).Count == 1),
            TimeSpan.FromSeconds(20), "the callback node to wait");
        return (pipeline.Id, act);
    }

    private async Task AssertUnchangedAsync(string nodeId, Func<Task<EngineApiResult>> call, params string[] mentions)
    {
        var before = await _h.StateAsync(nodeId);
        Refused(await call(), mentions);
        Assert.Equal(before, await _h.StateAsync(nodeId));
    }

    [Fact]
    public async Task PipelineVerbs_GivenAnActivitysId_RefusedAndTheRunGoesOn()
    {
        // bamboo takes any node here and strands the run (the node REVOKED or SUSPENDED, no process ever looks again).
        var (root, act) = await WaitingAsync();

        await AssertUnchangedAsync(act, () => EngineApi.PausePipelineAsync(_h.Engine, act), act, "is a ServiceActivity, not a pipeline", "pause_pipeline");
        await AssertUnchangedAsync(act, () => EngineApi.RevokePipelineAsync(_h.Engine, act), act, "revoke_pipeline");
        await AssertUnchangedAsync(act, () => EngineApi.ResumePipelineAsync(_h.Engine, act), act, "resume_pipeline");

        Assert.True((await EngineApi.CallbackAsync(_h.Engine, act, (await _h.StateAsync(act))!.Version, [])).Result);
        await _h.WaitStateAsync(root, NodeState.Finished);
    }

    [Fact]
    public async Task Callback_DataWithALoneSurrogate_RefusedAndTheNodeStillWaits()
    {
        var (root, act) = await WaitingAsync();
        var version = (await _h.StateAsync(act))!.Version;
        // Valid JSON (as an HTTP body would bring it), but half a surrogate pair is not text.
        var data = JsonNode.Parse("""{"\ud800": "\udfff"}""")!.AsObject();

        await AssertUnchangedAsync(act, () => EngineApi.CallbackAsync(_h.Engine, act, version, data), act, "lone UTF-16 surrogate");

        Assert.True((await EngineApi.CallbackAsync(_h.Engine, act, version, new JsonObject { ["bit"] = 1 })).Result);
        await _h.WaitStateAsync(root, NodeState.Finished);
    }

    [Fact]
    public async Task PausePipeline_UnknownOrAlreadyPaused_Refused()
    {
        var (root, _) = await WaitingAsync();
        Refused(await EngineApi.PausePipelineAsync(_h.Engine, "p_missing"), "p_missing");
        Assert.True((await EngineApi.PausePipelineAsync(_h.Engine, root)).Result);

        await AssertUnchangedAsync(root, () => EngineApi.PausePipelineAsync(_h.Engine, root), root, "SUSPENDED");
    }

    [Fact]
    public async Task ResumePipeline_UnknownOrNotPaused_Refused()
    {
        var (root, _) = await WaitingAsync();
        Refused(await EngineApi.ResumePipelineAsync(_h.Engine, "p_missing"), "p_missing");

        await AssertUnchangedAsync(root, () => EngineApi.ResumePipelineAsync(_h.Engine, root), root, "RUNNING", "SUSPENDED");
    }

    [Fact]
    public async Task RevokePipeline_UnknownOrFinished_Refused()
    {
        var (pipeline, _) = EngineHarness.OneActivity("debug_no_schedule_node");
        await _h.StartAsync(pipeline);
        await _h.WaitStateAsync(pipeline.Id, NodeState.Finished);
        Refused(await EngineApi.RevokePipelineAsync(_h.Engine, "p_missing"), "p_missing");

        await AssertUnchangedAsync(pipeline.Id, () => EngineApi.RevokePipelineAsync(_h.Engine, pipeline.Id), "FINISHED", "REVOKED");
    }

    [Fact]
    public async Task PauseNodeAppoint_UnknownSubprocessRunningOrFailed_Refused()
    {
        var inner = new EmptyStartEvent();
        inner.Extend(new ServiceActivity("callback_node")).Extend(new EmptyEndEvent());
        var sub = new SubProcess(inner);
        var start = new EmptyStartEvent();
        start.Extend(sub).Extend(new EmptyEndEvent());
        await _h.StartAsync(PipelineBuilder.BuildTree(start));
        var (_, waiting) = await WaitingAsync();
        var (_, failed) = await FailedAsync();

        Refused(await EngineApi.PauseNodeAppointAsync(_h.Engine, "e_missing"), "e_missing");
        Refused(await EngineApi.PauseNodeAppointAsync(_h.Engine, sub.Id), "SubProcess");
        await AssertUnchangedAsync(waiting, () => EngineApi.PauseNodeAppointAsync(_h.Engine, waiting), waiting, "RUNNING");
        await AssertUnchangedAsync(failed, () => EngineApi.PauseNodeAppointAsync(_h.Engine, failed), failed, "FAILED", "SUSPENDED");
    }

    [Fact]
    public async Task ResumeNodeAppoint_UnknownOrNotPaused_Refused()
    {
        var (_, failed) = await FailedAsync();

        Refused(await EngineApi.ResumeNodeAppointAsync(_h.Engine, "e_missing"), "e_missing");
        await AssertUnchangedAsync(failed, () => EngineApi.ResumeNodeAppointAsync(_h.Engine, failed), failed, "FAILED", "SUSPENDED");
    }

    [Fact]
    public async Task RetryNode_UnknownNotRetryableNotFailedOrAwake_Refused()
    {
        var (_, notRetryable) = await FailedAsync(retryable: false);
        var (_, waiting) = await WaitingAsync();
        var (_, failed) = await FailedAsync();

        Refused(await EngineApi.RetryNodeAsync(_h.Engine, "e_missing"), "e_missing");
        await AssertUnchangedAsync(notRetryable, () => EngineApi.RetryNodeAsync(_h.Engine, notRetryable), notRetryable, "can_retry(False)");
        await AssertUnchangedAsync(waiting, () => EngineApi.RetryNodeAsync(_h.Engine, waiting), waiting, "not FAILED", "RUNNING");

        // The process that failed the node is not asleep yet (the window of execution.md §8).
        await _h.Store.WriteAsync(async tx =>
        {
            await tx.Processes.UpdateAsync((await tx.Processes.GetAtAsync(failed, asleep: true, dead: false))[0] with { Asleep = false });
            return 0;
        });
        await AssertUnchangedAsync(failed, () => EngineApi.RetryNodeAsync(_h.Engine, failed, new JsonObject { ["bit"] = 1 }), "can not find sleep process", failed);
        Assert.Null((await EngineApi.GetDataAsync(_h.Engine, failed)).Data?["inputs"]?["bit"]);
    }

    [Fact]
    public async Task RetrySubprocess_NotASubprocess_Refused()
    {
        var (_, failed) = await FailedAsync();

        Refused(await EngineApi.RetrySubprocessAsync(_h.Engine, "e_missing"), "e_missing");
        await AssertUnchangedAsync(failed, () => EngineApi.RetrySubprocessAsync(_h.Engine, failed), failed, "not SubProcess");
    }

    [Fact]
    public async Task SkipNode_UnknownNotSkippableWrongKindOrNotFailed_Refused()
    {
        var (_, notSkippable) = await FailedAsync(skippable: false);
        var (_, waiting) = await WaitingAsync();
        var pg = new ParallelGateway();
        var start = new EmptyStartEvent();
        start.Extend(pg).Connect(new ServiceActivity("debug_no_schedule_node"));
        pg.Converge(new ConvergeGateway()).Extend(new EmptyEndEvent());
        await _h.StartAsync(PipelineBuilder.BuildTree(start));
        await _h.WaitStateAsync(pg.Id, NodeState.Finished);

        Refused(await EngineApi.SkipNodeAsync(_h.Engine, "e_missing"), "e_missing");
        await AssertUnchangedAsync(notSkippable, () => EngineApi.SkipNodeAsync(_h.Engine, notSkippable), "can not skip this node", notSkippable);
        await AssertUnchangedAsync(pg.Id, () => EngineApi.SkipNodeAsync(_h.Engine, pg.Id), "can not skip this node");
        await AssertUnchangedAsync(waiting, () => EngineApi.SkipNodeAsync(_h.Engine, waiting), "not FAILED", "RUNNING");
    }

    // start -> eg(all false) -> {a, b} -> cg -> end ; start2 -> cpg(all false) -> {c, d} -> cg2 -> end2
    [Fact]
    public async Task SkipGateways_WrongKindFlowOrConverge_Refused()
    {
        var eg = new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 0", [1] = "1 == 0" });
        var start = new EmptyStartEvent();
        start.Extend(eg).Connect(new ServiceActivity("debug_no_schedule_node"), new ServiceActivity("debug_no_schedule_node"));
        eg.Converge(new ConvergeGateway()).Extend(new EmptyEndEvent());
        var egTree = PipelineBuilder.BuildTree(start);
        var cpg = new ConditionalParallelGateway(new Dictionary<int, string> { [0] = "1 == 0", [1] = "1 == 0" });
        var cg2 = new ConvergeGateway();
        var start2 = new EmptyStartEvent();
        start2.Extend(cpg).Connect(new ServiceActivity("debug_no_schedule_node"), new ServiceActivity("debug_no_schedule_node"));
        cpg.Converge(cg2).Extend(new EmptyEndEvent());
        var cpgTree = PipelineBuilder.BuildTree(start2);
        await _h.StartAsync(egTree);
        await _h.StartAsync(cpgTree);
        await _h.WaitFailedAndAsleepAsync(eg.Id);
        await _h.WaitFailedAndAsleepAsync(cpg.Id);
        var egFlow = egTree.Gateways[eg.Id].Outgoing[0];
        var cpgFlow = cpgTree.Gateways[cpg.Id].Outgoing[0];

        await AssertUnchangedAsync(cpg.Id, () => EngineApi.SkipExclusiveGatewayAsync(_h.Engine, cpg.Id, cpgFlow), "not exclusive gateway", "ConditionalParallelGateway");
        await AssertUnchangedAsync(eg.Id, () => EngineApi.SkipExclusiveGatewayAsync(_h.Engine, eg.Id, "f_missing"), "f_missing");
        await AssertUnchangedAsync(eg.Id, () => EngineApi.SkipConditionalParallelGatewayAsync(_h.Engine, eg.Id, [egFlow], cg2.Id), "not conditional parallel gateway");
        await AssertUnchangedAsync(cpg.Id, () => EngineApi.SkipConditionalParallelGatewayAsync(_h.Engine, cpg.Id, [], cg2.Id), "at least one flow");
        await AssertUnchangedAsync(cpg.Id, () => EngineApi.SkipConditionalParallelGatewayAsync(_h.Engine, cpg.Id, [cpgFlow], "cg_wrong"), "cg_wrong");
        await AssertUnchangedAsync(cpg.Id, () => EngineApi.SkipConditionalParallelGatewayAsync(_h.Engine, cpg.Id, ["f_missing"], cg2.Id), "f_missing");
    }

    [Fact]
    public async Task ForcedFail_UnknownNotActivityOrNotRunning_Refused()
    {
        var (pipeline, _) = EngineHarness.OneActivity("callback_node");
        await _h.StartAsync(pipeline);
        var startEvent = pipeline.StartEvent.Id;
        await _h.WaitStateAsync(startEvent, NodeState.Finished);
        var (_, failed) = await FailedAsync();

        Refused(await EngineApi.ForcedFailActivityAsync(_h.Engine, "e_missing", "x"), "e_missing");
        await AssertUnchangedAsync(startEvent, () => EngineApi.ForcedFailActivityAsync(_h.Engine, startEvent, "x"), "is not activity", "EmptyStartEvent");
        await AssertUnchangedAsync(failed, () => EngineApi.ForcedFailActivityAsync(_h.Engine, failed, "x"), "not RUNNING", "FAILED");
    }

    [Fact]
    public async Task Callback_NoSleepingProcessWrongVersionOrFinished_Refused()
    {
        var (root, waiting) = await WaitingAsync();
        var (_, failed) = await FailedAsync();
        var version = (await _h.StateAsync(waiting))!.Version;

        Refused(await EngineApi.CallbackAsync(_h.Engine, "e_missing", "v", []), "can not find sleep process", "e_missing");
        await AssertUnchangedAsync(waiting, () => EngineApi.CallbackAsync(_h.Engine, waiting, "v_old", []), "v_old");
        await AssertUnchangedAsync(failed, () => EngineApi.CallbackAsync(_h.Engine, failed, (_h.StateAsync(failed).Result)!.Version, []), "no schedule");

        Assert.True((await EngineApi.CallbackAsync(_h.Engine, waiting, version, [])).Result);
        // The run's end, not the node's: the process sleeps at the node until the task that walks on from it runs.
        await _h.WaitStateAsync(root, NodeState.Finished);
        Refused(await EngineApi.CallbackAsync(_h.Engine, waiting, version, []), "can not find sleep process");
    }

    [Fact]
    public async Task RunPipeline_DuplicateRootOrBadStartNode_Refused()
    {
        var (pipeline, act) = EngineHarness.OneActivity("debug_no_schedule_node");
        await _h.StartAsync(pipeline);

        Refused(await EngineApi.RunPipelineAsync(_h.Engine, pipeline), pipeline.Id, "already exists");
        var (other, _) = EngineHarness.OneActivity("debug_no_schedule_node");
        Refused(await EngineApi.RunPipelineAsync(_h.Engine, other, new RunPipelineOptions { StartNodeId = other.EndEvent.Id }), other.EndEvent.Id, "not allowed as a starting node");
        Assert.Null(await _h.StateAsync(other.Id));
        Assert.NotNull(act);
    }

    [Fact]
    public async Task RunPipeline_NodeIdOfAnotherRun_RefusedAndNothingStored()
    {
        var (pipeline, act) = EngineHarness.OneActivity("debug_no_schedule_node");
        await _h.StartAsync(pipeline);

        // The same tree under a new root id: its activity id belongs to the first run.
        var copy = pipeline.ToJson();
        copy["id"] = "p" + Guid.NewGuid().ToString("N")[1..];
        var second = Bamboo.Engine.Model.Pipeline.Parse(copy.ToJsonString());
        Refused(await EngineApi.RunPipelineAsync(_h.Engine, second), "already used by another pipeline");
        Assert.Null(await _h.StateAsync(second.Id));
        Assert.Equal(pipeline.Id, await _h.Store.ReadAsync(tx => tx.Runs.GetNodeRootAsync(act)));
        Assert.Null(await _h.Store.ReadAsync(tx => tx.Runs.GetAsync(second.Id)));
        // The ids indexed before the taken one was met are gone again.
        Assert.Null(await _h.Store.ReadAsync(tx => tx.Runs.GetNodeRootAsync(second.Id)));
    }

    [Fact]
    public async Task RunPipeline_RefusedTreeUnderATakenRootId_LeavesTheRunningTreeInPlace()
    {
        var (pipeline, act) = EngineHarness.OneActivity("debug_no_schedule_node");
        await _h.StartAsync(pipeline);
        await _h.WaitStateAsync(pipeline.Id, NodeState.Finished);

        // Another tree under the same root id: refused, and the engine must go on knowing the first tree.
        var (other, _) = EngineHarness.OneActivity("debug_no_schedule_node");
        var copy = other.ToJson();
        copy["id"] = pipeline.Id;
        Refused(await EngineApi.RunPipelineAsync(_h.Engine, Bamboo.Engine.Model.Pipeline.Parse(copy.ToJsonString())), "already exists");

        var states = await EngineApi.GetPipelineStatesAsync(_h.Engine, pipeline.Id);
        Assert.True(states.Result, states.Message);
        Assert.NotNull(states.Data![pipeline.Id]!["children"]![act]);
    }
}
