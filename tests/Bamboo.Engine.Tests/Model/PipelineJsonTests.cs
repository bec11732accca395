using System.Text.Json.Nodes;
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
    [InlineData("""{"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent"}, "end_event": {"id": "e", "type": "EmptyEndEvent"}, "data": {"inputs": {"${x}": {"type": "lazy", "value": 1}}}}""", "$.data.inputs.${x}.custom_type")]
    public void Parse_MalformedTree_NamesTheField(string json, string path)
    {
        var ex = Assert.Throws<PipelineFormatException>(() => Pipeline.Parse(json));

        Assert.Equal(path, ex.Path);
    }
}
