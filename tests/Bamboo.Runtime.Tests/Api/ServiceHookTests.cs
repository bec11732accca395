using System.Collections.Concurrent;
using Bamboo.Engine.Api;
using Bamboo.Engine.Components;

namespace Bamboo.Runtime.Tests.Api;

/// <summary>The read-only service hooks around the control API: called in order, unable to change anything.</summary>
public sealed class ServiceHookTests : IAsyncDisposable
{
    private static readonly ConcurrentQueue<string> Calls = new();
    private readonly EngineHarness _h = new(new ComponentRegistry().AddComponent<Watcher>("watcher"));

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

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    [Fact]
    public async Task SkipNode_HookEnabledService_GetsPreAndPostSkipHooks_ReadOnly()
    {
        var (pipeline, act) = EngineHarness.OneActivity("watcher");
        Assert.True((await EngineApi.RunPipelineAsync(_h.Engine, pipeline)).Result);
        await WaitUntil.TrueAsync(() => _h.Store.ReadAsync(async tx => (await tx.Processes.GetAtAsync(act, asleep: true, dead: false)).Count == 1),
            TimeSpan.FromSeconds(20), "the node to fail");

        Assert.True((await EngineApi.SkipNodeAsync(_h.Engine, act)).Result);

        Assert.Equal([$"{act}:pre_skip_node:false", $"{act}:post_skip_node:false"], Calls.Where(c => c.StartsWith(act, StringComparison.Ordinal)));
        var outputs = (await EngineApi.GetExecutionDataOutputsAsync(_h.Engine, act)).Data!.AsObject();
        Assert.False(outputs.ContainsKey("tampered"));
    }
}
