using System.Collections.Concurrent;
using Bamboo.Engine.Api;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Runtime.Tests.Execution;

public sealed class PipelineEventTests : IAsyncDisposable
{
    private readonly string _db = Path.Combine(Path.GetTempPath(), "bamboo-events-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly CancellationTokenSource _stop = new();
    private readonly SqliteRuntime _runtime;
    private readonly Task _workers;
    private readonly Recorder _events = new();

    private sealed class Recorder : IPipelineEventSink
    {
        public ConcurrentQueue<PipelineEvent> Events { get; } = new();

        public void OnEvent(PipelineEvent pipelineEvent) => Events.Enqueue(pipelineEvent);
    }

    public PipelineEventTests()
    {
        _runtime = new SqliteRuntime(new SqliteRuntimeOptions { DatabasePath = _db }, new ComponentRegistry().AddTestkit());
        var sut = new PipelineEngine(_runtime, NullLogger<PipelineEngine>.Instance, _events);
        _workers = new EngineWorker(_runtime, sut, NullLogger<EngineWorker>.Instance).RunAsync(_stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _workers;
        await _runtime.DisposeAsync();
        _stop.Dispose();
        foreach (var f in new[] { _db, _db + "-wal", _db + "-shm" })
        {
            File.Delete(f);
        }
    }

    private List<string> TypesFor(string nodeId) => _events.Events.Where(e => e.NodeId == nodeId).Select(e => e.Type).ToList();

    [Fact]
    public async Task PollingActivity_Succeeds_EmitsLifecycleInOrder()
    {
        var (pipeline, act) = EngineHarness.OneActivity("debug_node");

        Assert.True((await EngineApi.RunPipelineAsync(_runtime, pipeline)).Result);
        await WaitUntil.TrueAsync(() => Task.FromResult(_events.Events.Any(e => e.Type == "pipeline_finish" && e.RootPipelineId == pipeline.Id)),
            TimeSpan.FromSeconds(20), "pipeline_finish");

        Assert.Equal(["node_enter", "pre_execute", "post_execute", "pre_schedule", "post_schedule", "node_finish"], TypesFor(act));
    }

    [Fact]
    public async Task FailingActivity_EmitsExecuteFail()
    {
        var (pipeline, act) = EngineHarness.OneActivity("interrupt_raise_test", new() { ["execute_raise"] = true });

        Assert.True((await EngineApi.RunPipelineAsync(_runtime, pipeline)).Result);
        await WaitUntil.TrueAsync(() => Task.FromResult(TypesFor(act).Contains("node_execute_fail")), TimeSpan.FromSeconds(20), "node_execute_fail");

        Assert.Equal(["node_enter", "pre_execute", "node_execute_exception", "node_execute_fail"], TypesFor(act));
        Assert.Contains("execute raise", _events.Events.First(e => e.Type == "node_execute_exception").Data["ex_data"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
