using System.Text.Json.Nodes;
using Bamboo.Engine.Building;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;
using Bamboo.Engine.Tests.Building;

namespace Bamboo.Engine.Tests.Model;

public sealed class PipelineJsonTests
{
    public static TheoryData<string> ScenarioFiles() => [.. Corpus.ScenarioFiles().Select(f => Path.GetRelativePath(Corpus.Root(), f))];

    [Theory]
    [MemberData(nameof(ScenarioFiles))]
    public void ParseThenWrite_ConformanceTree_PreservesEveryField(string file)
    {
        var tree = JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus.Root(), file)))!["pipeline"]!.AsObject();

        var written = Pipeline.Parse(tree.ToJsonString()).ToJson();

        Assert.True(TreeShape.Equal(tree, written), $"round trip changed the tree:\n{written.ToJsonString()}");
    }

    [Theory]
    [InlineData("{", "$")]
    [InlineData("[]", "$")]
    [InlineData("""{"id": "p"}""", "$.start_event")]
    [InlineData("""{"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent"}, "end_event": {"id": "e", "type": "EmptyEndEvent"}, "activities": {"a": {"id": "a", "type": "ServiceActivity"}}}""", "$.activities.a.component")]
    [InlineData("""{"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent"}, "end_event": {"id": "e", "type": "EmptyEndEvent"}, "activities": {"a": {"id": "a", "type": "ServiceActivity", "component": {"inputs": {}}}}}""", "$.activities.a.component.code")]
    [InlineData("""{"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent"}, "end_event": {"id": "e", "type": "EmptyEndEvent"}, "gateways": {"g": {"id": "g", "type": "Teleporter"}}}""", "$.gateways.g.type")]
    [InlineData("""{"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent"}, "end_event": {"id": "e", "type": "EmptyEndEvent"}, "activities": {"a": {"id": "b", "type": "ServiceActivity", "component": {"code": "x"}}}}""", "$.activities.a.id")]
    [InlineData("""{"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent", "incoming": 5}, "end_event": {"id": "e", "type": "EmptyEndEvent"}}""", "$.start_event.incoming")]
    [InlineData("""{"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent"}, "end_event": {"id": "e", "type": "EmptyEndEvent"}, "activities": {"a": {"id": "a", "type": "ServiceActivity", "timeout": "soon", "component": {"code": "x"}}}}""", "$.activities.a.timeout")]
    [InlineData("""{"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent"}, "end_event": {"id": "e", "type": "EmptyEndEvent"}, "activities": {"a": {"id": "a", "type": "ServiceActivity", "timeout": -1, "component": {"code": "x"}}}}""", "$.activities.a.timeout")]
    [InlineData("""{"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent"}, "end_event": {"id": "e", "type": "EmptyEndEvent"}, "data": {"inputs": {"${x}": {"type": "lazy", "value": 1}}}}""", "$.data.inputs.${x}.custom_type")]
    public void Parse_MalformedTree_NamesTheField(string json, string path)
    {
        var ex = Assert.Throws<PipelineFormatException>(() => Pipeline.Parse(json));

        Assert.Equal(path, ex.Path);
    }

    // start -> a -> end, with the given data.outputs
    private static Pipeline WithOutputs(JsonNode? outputs)
    {
        var start = new EmptyStartEvent("s");
        start.Extend(new ServiceActivity("debug_node", "a")).Extend(new EmptyEndEvent("e"));
        var tree = PipelineBuilder.BuildTreeJson(start, "p");
        tree["data"]!["outputs"] = outputs;
        return Pipeline.Parse(tree.ToJsonString());
    }

    [Fact]
    public void Parse_OutputsAsEmptyObject_ExportsNothing()
    {
        var sut = WithOutputs(new JsonObject());

        Assert.Empty(sut.Data.Outputs);
    }

    [Fact]
    public void Parse_OutputsAsObject_ExportsItsKeysInOrder()
    {
        var sut = WithOutputs(new JsonObject { ["${b}"] = 1, ["${a}"] = null, ["${c}"] = new JsonObject { ["x"] = "y" } });

        Assert.Equal(["${b}", "${a}", "${c}"], sut.Data.Outputs);
    }

    [Fact]
    public void ParseThenWrite_OutputsAsObject_KeepsTheObject()
    {
        var sut = WithOutputs(new JsonObject { ["${a}"] = 1 });

        var written = sut.ToJson();

        Assert.Equal("""{"${a}":1}""", written["data"]!["outputs"]!.ToJsonString());
    }

    [Theory]
    [InlineData("\"${a}\"", "$.data.outputs")]
    [InlineData("5", "$.data.outputs")]
    [InlineData("true", "$.data.outputs")]
    [InlineData("[1]", "$.data.outputs[0]")]
    public void Parse_OutputsOfAnotherType_NamesTheField(string outputs, string path)
    {
        var ex = Assert.Throws<PipelineFormatException>(() => WithOutputs(JsonNode.Parse(outputs)));

        Assert.Equal(path, ex.Path);
    }

    [Theory]
    [InlineData("null", null)]
    [InlineData("0", null)]
    [InlineData("1.5", 1.5)]
    [InlineData("3600", 3600.0)]
    public void Parse_ActivityTimeout_IsSecondsOrNone(string timeout, double? seconds)
    {
        var json = """{"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent"}, "end_event": {"id": "e", "type": "EmptyEndEvent"}, "activities": {"a": {"id": "a", "type": "ServiceActivity", "timeout": TIMEOUT, "component": {"code": "x"}}}}"""
            .Replace("TIMEOUT", timeout, StringComparison.Ordinal);

        var activity = (ServiceActivityNode)Pipeline.Parse(json).Activities["a"];

        Assert.Equal(seconds, activity.Timeout?.TotalSeconds);
    }
}
