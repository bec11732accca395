using System.Text.Json.Nodes;
using Bamboo.Engine.Building;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Validation;

namespace Bamboo.Engine.Tests.Execution;

public sealed class CompiledPipelineTests
{
    // start -> sub (sub_s -> sub_a -> sub_e) -> end
    private static JsonObject TreeWithSubprocess()
    {
        var inner = new EmptyStartEvent("sub_s");
        inner.Extend(new ServiceActivity("debug_node", "sub_a")).Extend(new EmptyEndEvent("sub_e"));
        var data = new Data { Inputs = { ["${x}"] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, "own") }, Outputs = { "${x}" } };
        var start = new EmptyStartEvent("s");
        start.Extend(new SubProcess(inner, data, id: "sub")).Extend(new EmptyEndEvent("e"));
        return PipelineBuilder.BuildTreeJson(start, "p");
    }

    private static CompiledPipeline Compile(JsonObject tree) =>
        CompiledPipeline.Compile(new PipelineValidator().Validate(Pipeline.Parse(tree.ToJsonString())), []);

    [Fact]
    public void Compile_OutputsGivenAsObject_ExportsTheKeys()
    {
        var tree = TreeWithSubprocess();
        tree["data"]!["outputs"] = new JsonObject { ["${r}"] = 0 };
        tree["activities"]!["sub"]!["pipeline"]!["data"]!["outputs"] = new JsonObject { ["${x}"] = 0, ["${y}"] = 0 };

        var sut = Compile(tree);

        Assert.Equal(["${r}"], sut.Pipelines["p"].ExportedKeys);
        Assert.Equal(["${x}", "${y}"], sut.Pipelines["sub"].ExportedKeys);
    }

    [Fact]
    public void Compile_SubprocessPipelineWithAnotherId_KeysItByTheNodeId()
    {
        var tree = TreeWithSubprocess();
        tree["activities"]!["sub"]!["pipeline"]!["id"] = "other";

        var sut = Compile(tree);

        Assert.False(sut.Pipelines.ContainsKey("other"));
        Assert.Equal("${x}", Assert.Single(sut.Pipelines["sub"].InitialContext).Key);
        Assert.Equal("sub", sut.Node("sub_a").ParentPipelineId);
        Assert.Equal("sub", sut.Node("sub_s").ParentPipelineId);
    }
}
