using System.Collections.Concurrent;
using Bamboo.Engine.Api;
using Bamboo.Engine.Execution;

namespace Bamboo.Runtime.Tests.Execution;

public sealed class PipelineEventTests : IAsyncDisposable
{
    private readonly Recorder _events = new();
    private readonly EngineHarness _h;

    private sealed class Recorder : IPipelineEventSink
    {
        public ConcurrentQueue<PipelineEvent> Events { get; } = new();

        public void OnEvent(PipelineEvent pipelineEvent) => Events.Enqueue(pipelineEvent);
    }

    public PipelineEventTests() => _h = new EngineHarness(events: _events);

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private List<string> TypesFor(string nodeId) => _events.Events.Where(e => e.NodeId == nodeId).Select(e => e.Type).ToList();

    [Fact]
    public async Task PollingActivity_Succeeds_EmitsLifecycleInOrder()
    {
        var (pipeline, act) = EngineHarness.OneActivity("debug_node");

        Assert.True((await EngineApi.RunPipelineAsync(_h.Engine, pipeline)).Result);
        await WaitUntil.TrueAsync(() => Task.FromResult(_events.Events.Any(e => e.Type == "pipeline_finish" && e.RootPipelineId == pipeline.Id)),
            TimeSpan.FromSeconds(20), "pipeline_finish");

        Assert.Equal(["node_enter", "pre_execute", "post_execute", "pre_schedule", "post_schedule", "node_finish"], TypesFor(act));
    }

    [Fact]
    public async Task FailingActivity_EmitsExecuteFail()
    {
        var (pipeline, act) = EngineHarness.OneActivity("interrupt_raise_test", new() { ["execute_raise"] = true });

        Assert.True((await EngineApi.RunPipelineAsync(_h.Engine, pipeline)).Result);
        await WaitUntil.TrueAsync(() => Task.FromResult(TypesFor(act).Contains("node_execute_fail")), TimeSpan.FromSeconds(20), "node_execute_fail");

        Assert.Equal(["node_enter", "pre_execute", "node_execute_exception", "node_execute_fail"], TypesFor(act));
        Assert.Contains("execute raise", _events.Events.First(e => e.Type == "node_execute_exception").Data["ex_data"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
