using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Execution;

namespace Bamboo.Runtime.Tests.Api;

public sealed class RevokeSubprocessTests : IAsyncLifetime
{
    private readonly EngineHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    // start -> sub[sub_start -> wait(callback) -> after -> sub_end] -> end
    [Fact]
    public async Task RevokeSubprocess_WhileAnInnerNodeWaits_NothingAfterItRuns()
    {
        var wait = new ServiceActivity("callback_node");
        var after = new ServiceActivity("debug_no_schedule_node");
        var inner = new EmptyStartEvent();
        inner.Extend(wait).Extend(after).Extend(new EmptyEndEvent());
        var sub = new SubProcess(inner);
        var start = new EmptyStartEvent();
        start.Extend(sub).Extend(new EmptyEndEvent());
        var pipeline = PipelineBuilder.BuildTree(start);
        await _h.StartAsync(pipeline);
        await WaitUntil.TrueAsync(() => _h.Store.ReadAsync(async tx => (await tx.Processes.GetAtAsync(wait.Id, asleep: true, dead: false)).Count == 1),
            TimeSpan.FromSeconds(20), "the inner node to wait");

        Assert.True((await EngineApi.RevokePipelineAsync(_h.Engine, sub.Id)).Result);
        Assert.True((await EngineApi.CallbackAsync(_h.Engine, wait.Id, (await _h.StateAsync(wait.Id))!.Version, [])).Result);
        await _h.WaitStateAsync(wait.Id, NodeState.Finished);
        await WaitUntil.TrueAsync(async () => await Task.FromResult(_h.TasksLeft() == 0), TimeSpan.FromSeconds(20), "the queue to drain");

        Assert.Equal(NodeState.Revoked, (await _h.StateAsync(sub.Id))!.Name);
        Assert.Null(await _h.StateAsync(after.Id));
        Assert.Equal(NodeState.Running, (await _h.StateAsync(pipeline.Id))!.Name);
        Assert.Empty(await _h.Store.ReadAsync(tx => tx.Processes.GetAtAsync(after.Id, asleep: null, dead: false)));
    }
}
