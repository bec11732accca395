using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;

namespace Bamboo.Runtime.Tests.Execution;

/// <summary>
/// The step that applies a service's result does not read the node's state first: it writes over the RUNNING state
/// it committed, on the condition that the node still has it. These are the ways the node may have moved on meanwhile.
/// </summary>
public sealed class ExecuteResultTests
{
    /// <summary>An activity whose execute waits for the test to open a gate.</summary>
    private sealed class GatedNode(TaskCompletionSource entered, TaskCompletionSource open) : Service
    {
        public override async ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
        {
            entered.TrySetResult();
            await open.Task.WaitAsync(cancellationToken);
            return true;
        }
    }

    private static (EngineHarness Harness, TaskCompletionSource Entered, TaskCompletionSource Open) CreateSut()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var harness = new EngineHarness(new ComponentRegistry().AddComponent("gated_node", () => new GatedNode(entered, open)));
        return (harness, entered, open);
    }

    // start → act (gated) → end
    [Fact]
    public async Task ApplyExecuteResult_ForcedFailWhileExecuting_DiscardsTheResult()
    {
        var (sut, entered, open) = CreateSut();
        await using var _ = sut;
        var (pipeline, act) = EngineHarness.OneActivity("gated_node");
        await sut.StartAsync(pipeline);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20));

        var forced = await EngineApi.ForcedFailActivityAsync(sut.Engine, act, "forced by test");
        open.SetResult();
        await sut.WaitQueueEmptyAsync();

        Assert.True(forced.Result, forced.Message);
        Assert.Equal(NodeState.Failed, (await sut.StateAsync(act))!.Name);
        Assert.True((await sut.DataAsync(act))!.Outputs["_forced_failed"]?.GetValue<bool>());
        Assert.Null(await sut.StateAsync(pipeline.EndEvent.Id));
    }

    // start → act (gated) → end; the activity's state renamed under the same version while its call runs (bamboo's
    // pause_pipeline did this when given an activity's id; the API refuses that now, so the store does it here)
    [Fact]
    public async Task ApplyExecuteResult_StateRenamedWithItsVersion_DiscardsTheResult()
    {
        var (sut, entered, open) = CreateSut();
        await using var _ = sut;
        var (pipeline, act) = EngineHarness.OneActivity("gated_node");
        await sut.StartAsync(pipeline);
        await entered.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var version = (await sut.StateAsync(act))!.Version;

        var renamed = await sut.Store.WriteAsync(async tx =>
        {
            var running = (await tx.States.GetAsync(act))!;
            return await tx.States.UpdateAsync(running with { Name = NodeState.Suspended }, running.Version);
        });
        open.SetResult();
        await sut.WaitQueueEmptyAsync();

        Assert.True(renamed);
        var state = (await sut.StateAsync(act))!;
        Assert.Equal(NodeState.Suspended, state.Name);
        Assert.Equal(version, state.Version);
        Assert.Null(await sut.StateAsync(pipeline.EndEvent.Id));
    }

    // start → act → act → act → end: each result is applied over the state its step committed
    [Fact]
    public async Task ApplyExecuteResult_Sequence_FinishesEachActivityOnce()
    {
        await using var sut = new EngineHarness();
        var start = new EmptyStartEvent();
        Element tail = start;
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var activity = new ServiceActivity("empty_node");
            ids.Add(activity.Id);
            tail = tail.Extend(activity);
        }

        tail.Extend(new EmptyEndEvent());
        var pipeline = PipelineBuilder.BuildTree(start);

        await sut.StartAsync(pipeline);
        await sut.WaitStateAsync(pipeline.Id, NodeState.Finished);

        foreach (var id in ids)
        {
            var state = (await sut.StateAsync(id))!;
            Assert.Equal(NodeState.Finished, state.Name);
            Assert.Equal(1, state.Loop);
            Assert.Empty(await sut.HistoriesAsync(id));
        }
    }
}
