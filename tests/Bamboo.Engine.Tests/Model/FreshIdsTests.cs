using Bamboo.Engine.Model;

namespace Bamboo.Engine.Tests.Model;

public sealed class FreshIdsTests
{
    // start -> a1 -> end, named after their ids, with a1's output read as ${out_a1}.
    private static Pipeline Tree() => Pipeline.Parse("""
        {
          "id": "p", "name": "p",
          "start_event": { "id": "s", "name": "s", "type": "EmptyStartEvent", "incoming": "", "outgoing": "f1" },
          "end_event": { "id": "e", "name": "finish", "type": "EmptyEndEvent", "incoming": ["f2"], "outgoing": "" },
          "activities": {
            "a1": {
              "id": "a1", "name": "a1", "type": "ServiceActivity", "incoming": ["f1"], "outgoing": "f2",
              "component": { "code": "empty_node", "inputs": { "target": { "type": "plain", "value": "a1" } } }
            }
          },
          "gateways": {},
          "flows": {
            "f1": { "id": "f1", "source": "s", "target": "a1", "is_default": false },
            "f2": { "id": "f2", "source": "a1", "target": "e", "is_default": false }
          },
          "data": { "inputs": { "${out_a1}": { "type": "plain", "value": "" } }, "outputs": [] }
        }
        """);

    [Fact]
    public void Copy_NamesEqualToIds_KeptWhileEveryIdGetsOneSuffix()
    {
        var copy = FreshIds.Copy(Tree(), out var renamed);
        var json = copy.ToJson();
        var suffix = copy.Id["p".Length..];

        Assert.Matches("^_[0-9a-f]{6}$", suffix);
        Assert.Equal("p", (string?)json["name"]);
        Assert.Equal("s", (string?)json["start_event"]!["name"]);
        Assert.Equal("finish", (string?)json["end_event"]!["name"]);
        var activity = json["activities"]!["a1" + suffix]!;
        Assert.Equal("a1", (string?)activity["name"]);
        Assert.Equal("f1" + suffix, (string?)activity["incoming"]![0]);
        Assert.Equal("a1" + suffix, renamed("a1"));
        Assert.Equal("unknown", renamed("unknown"));
        Assert.True(json["data"]!["inputs"]!.AsObject().ContainsKey("${out_a1" + suffix + "}"));
    }

    [Fact]
    public void Copy_DataStringEqualToAnId_RenamedWithIt()
    {
        var copy = FreshIds.Copy(Tree(), id => id + "_x");

        var target = copy.ToJson()["activities"]!["a1_x"]!["component"]!["inputs"]!["target"]!["value"];

        Assert.Equal("a1_x", (string?)target);
    }
}
