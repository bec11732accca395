using Bamboo.Engine.Building;
using Bamboo.Engine.Execution;

namespace Bamboo.Runtime.Tests.Execution;

/// <summary>A subprocess whose embedded pipeline has an id of its own, which bamboo accepts.</summary>
public sealed class SubprocessIdTests : IAsyncDisposable
{
    private readonly EngineHarness _h = new();

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    // start -> sub (sub_s -> sub_a -> sub_e) -> end; sub_a renders ${x}, a variable of the subprocess, and the
    // subprocess exports it. The embedded pipeline's id is "other_id", not "sub".
    [Fact]
    public async Task RunPipeline_SubprocessPipelineWithAnotherId_SeesItsOwnVariables()
    {
        var subAct = new ServiceActivity("debug_node", "sub_a") { Inputs = { ["v"] = new Var(Var.Splice, "${x}!") } };
        var inner = new EmptyStartEvent("sub_s");
        inner.Extend(subAct).Extend(new EmptyEndEvent("sub_e"));
        var data = new Data { Inputs = { ["${x}"] = new Var(Var.Plain, "own") }, Outputs = { "${x}" } };
        var start = new EmptyStartEvent("s");
        start.Extend(new SubProcess(inner, data, id: "sub")).Extend(new EmptyEndEvent("e"));
        var tree = PipelineBuilder.BuildTreeJson(start, "p_subprocess_id");
        tree["activities"]!["sub"]!["pipeline"]!["id"] = "other_id";

        await _h.StartAsync(Bamboo.Engine.Model.Pipeline.Parse(tree.ToJsonString()));
        await _h.WaitStateAsync("p_subprocess_id", NodeState.Finished);

        var act = await _h.DataAsync("sub_a");
        var sub = await _h.DataAsync("sub");
        Assert.Equal("own!", act!.Inputs["v"]!.GetValue<string>());
        Assert.Equal("own", sub!.Outputs["${x}"]!.GetValue<string>());
    }
}
