using System.Collections.Concurrent;
using Bamboo.Engine.Api;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Runtime.Tests.Api;

/// <summary>The read-only service hooks around the control API: called in order, unable to change anything.</summary>
public sealed class ServiceHookTests : IAsyncDisposable
{
    private static readonly ConcurrentQueue<string> Calls = new();
    private readonly string _db = Path.Combine(Path.GetTempPath(), "bamboo-hooks-" + Guid.NewGuid().ToString("N") + ".db");
    private readonly CancellationTokenSource _stop = new();
    private readonly SqliteRuntime _runtime;
    private readonly Task _workers;

    /// <summary>Fails like fail_ctrl_node and records the API hooks it receives, trying (in vain) to change its data.</summary>
    private sealed class Watcher : Service
    {
        public override bool NeedRunHook => true;

        public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(false);

        public override ValueTask<bool> OnHookAsync(ServiceHook hook, ExecutionData data, ExecutionData parentData, System.Text.Json.Nodes.JsonObject? callbackData, CancellationToken cancellationToken = default)
        {
            if (hook is ServiceHook.PreRetryNode or ServiceHook.PostRetryNode or ServiceHook.PreSkipNode or ServiceHook.PostSkipNode)
            {
                Calls.Enqueue($"{Context.NodeId}:{hook.Name()}:{data.Outputs["_result"]}");
                data.Outputs["tampered"] = true;
            }

            return ValueTask.FromResult(true);
        }
    }

    public ServiceHookTests()
    {
        _runtime = new SqliteRuntime(new SqliteRuntimeOptions { DatabasePath = _db }, new ComponentRegistry().AddTestkit().AddComponent<Watcher>("watcher"));
        _workers = new EngineWorker(_runtime, new PipelineEngine(_runtime, NullLogger<PipelineEngine>.Instance), NullLogger<EngineWorker>.Instance).RunAsync(_stop.Token);
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

    [Fact]
    public async Task SkipNode_HookEnabledService_GetsPreAndPostSkipHooks_ReadOnly()
    {
        var (pipeline, act) = EngineHarness.OneActivity("watcher");
        Assert.True((await EngineApi.RunPipelineAsync(_runtime, pipeline)).Result);
        await WaitUntil.TrueAsync(() => _runtime.ReadAsync(tx => tx.GetProcessesAt(act, asleep: true, dead: false).Count == 1),
            TimeSpan.FromSeconds(20), "the node to fail");

        Assert.True((await EngineApi.SkipNodeAsync(_runtime, act)).Result);

        Assert.Equal([$"{act}:pre_skip_node:false", $"{act}:post_skip_node:false"], Calls.Where(c => c.StartsWith(act, StringComparison.Ordinal)));
        var outputs = (await EngineApi.GetExecutionDataOutputsAsync(_runtime, act)).Data!.AsObject();
        Assert.False(outputs.ContainsKey("tampered"));
    }
}
