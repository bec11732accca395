using System.Text.Json.Nodes;
using Bamboo.Engine.Building;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Validation;

namespace Bamboo.Engine.Tests.Validation;

/// <summary>
/// Trees nobody should write: every one is either accepted or refused with a <see cref="BambooException"/> that names
/// what is wrong, and none crashes the loader, the validator or the compiler with another exception or the stack.
/// </summary>
public sealed class HostileTreeTests
{
    private static readonly string[] BaseTrees =
    [
        "execution/conditional_parallel/nested",
        "execution/exclusive/basic",
        "execution/subprocess/nested",
        "data/var_types/splice_lazy_plain",
        "data/rewritable_output/two_sources",
        "execution/start_event/pre_render_keys",
    ];

    private static readonly string HugeString = new('x', 1_000_000);

    /// <summary>Parses, validates and compiles like run_pipeline; returns the refusal, or null when the tree was accepted.</summary>
    private static BambooException? Load(string json, bool cycleTolerate = false)
    {
        try
        {
            var validated = new PipelineValidator(["MyTestEndEvent"]).Validate(Pipeline.Parse(json), cycleTolerate);
            CompiledPipeline.Compile(validated, []);
            return null;
        }
        catch (BambooException ex)
        {
            return ex;
        }
    }

    public static TheoryData<int> Seeds() => [.. Enumerable.Range(0, 300)];

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Load_MutatedConformanceTree_IsAcceptedOrRefusedWithABambooException(int seed)
    {
        var random = new Random(seed);
        var tree = Corpus.Scenario(BaseTrees[seed % BaseTrees.Length])["pipeline"]!.AsObject();
        var mutations = new List<string>();
        string json;
        if (seed % 10 == 9)
        {
            // Malformed text: cut short, or a character dropped in.
            var text = tree.ToJsonString();
            json = random.Next(2) == 0 ? text[..random.Next(text.Length)] : text.Insert(random.Next(text.Length), "{[\",:}]"[random.Next(7)].ToString());
            mutations.Add("malformed text");
        }
        else
        {
            for (var i = 1 + random.Next(3); i > 0; i--)
            {
                mutations.Add(Mutate(tree, random));
            }

            json = tree.ToJsonString();
        }

        var error = Record.Exception(() => Load(json, cycleTolerate: random.Next(2) == 0));

        Assert.True(error is null, $"seed {seed} ({string.Join("; ", mutations)}) crashed: {error}");
        var refusal = Load(json);
        Assert.True(refusal is null || refusal.Message.Length < 2_000, $"seed {seed}: message of {refusal?.Message.Length} characters");
    }

    /// <summary>Changes one thing in the tree; returns what it did.</summary>
    private static string Mutate(JsonObject tree, Random random)
    {
        var places = new List<(JsonNode Parent, string? Key, int Index, string Path)>();
        Collect(tree, "$", places);
        var (parent, key, index, path) = places[random.Next(places.Count)];
        var nodeIds = places.Where(p => p.Key == "id").Select(p => p.Parent["id"]!.ToString()).ToList();
        switch (random.Next(5))
        {
            case 0:
                if (parent is JsonObject o && key is not null)
                {
                    o.Remove(key);
                    return $"removed {path}";
                }

                ((JsonArray)parent).RemoveAt(index);
                return $"removed {path}";
            case 1:
            case 2:
                var value = Hostile(random, nodeIds);
                Set(parent, key, index, value);
                return $"{path} = {Show(value)}";
            case 3:
                // Re-point an id-valued string at another node (duplicates, flows to elsewhere, cycles).
                var other = JsonValue.Create(nodeIds[random.Next(nodeIds.Count)]);
                Set(parent, key, index, other);
                return $"{path} = {other}";
            default:
                var ghost = JsonValue.Create(random.Next(2) == 0 ? "nowhere" : HugeString);
                Set(parent, key, index, ghost);
                return $"{path} = {Show(ghost)}";
        }
    }

    private static void Collect(JsonNode node, string path, List<(JsonNode, string?, int, string)> places)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    places.Add((o, k, -1, $"{path}.{k}"));
                    if (v is not null)
                    {
                        Collect(v, $"{path}.{k}", places);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    places.Add((a, null, i, $"{path}[{i}]"));
                    if (a[i] is { } item)
                    {
                        Collect(item, $"{path}[{i}]", places);
                    }
                }

                break;
        }
    }

    private static void Set(JsonNode parent, string? key, int index, JsonNode? value)
    {
        if (parent is JsonObject o)
        {
            o[key!] = value;
        }
        else
        {
            ((JsonArray)parent)[index] = value;
        }
    }

    private static JsonNode? Hostile(Random random, List<string> nodeIds) => random.Next(14) switch
    {
        0 => null,
        1 => 0,
        2 => -1.5e308,
        3 => true,
        4 => "",
        5 => HugeString,
        6 => new JsonArray(),
        7 => new JsonObject(),
        8 => new JsonArray(1, "a", null, new JsonObject()),
        9 => new JsonObject { ["a"] = 1, ["type"] = "SubProcess" },
        10 => new JsonArray(nodeIds.Take(3).Select(i => (JsonNode?)i).ToArray()),
        11 => "${" + new string('(', 200) + "}",
        12 => "EmptyStartEvent",
        _ => "ParallelGateway",
    };

    private static string Show(JsonNode? value)
    {
        var text = value?.ToJsonString() ?? "null";
        return text.Length > 60 ? $"{text[..40]}...({text.Length} characters)" : text;
    }

    // start -> a -> end, with one id replaced by a 1 MB string
    [Theory]
    [InlineData("node")]
    [InlineData("key")]
    [InlineData("flow")]
    [InlineData("incoming")]
    [InlineData("pipeline")]
    public void Parse_MegabyteId_IsRefusedWithAShortMessageNamingTheLimit(string where)
    {
        var tree = SmallTree();
        var a = tree["activities"]!["a"]!.AsObject();
        switch (where)
        {
            case "node":
                a["id"] = HugeString;
                break;
            case "key":
                tree["activities"]!.AsObject().Remove("a");
                tree["activities"]![HugeString] = a;
                break;
            case "flow":
                var flow = tree["flows"]!.AsObject().First().Value!.AsObject();
                flow["target"] = HugeString;
                break;
            case "incoming":
                a["incoming"] = new JsonArray(HugeString);
                break;
            default:
                tree["id"] = HugeString;
                break;
        }

        var ex = Assert.Throws<PipelineFormatException>(() => Pipeline.Parse(tree.ToJsonString()));

        Assert.Contains("PipelineLimits.MaxIdLength", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 500, ex.Message.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("""{"id": "p", "activities": {"a": 1}, "activities": {}}""", "$.activities")]
    [InlineData("""{"id": "p", "id": "q"}""", "$.id")]
    public void Parse_RepeatedKey_IsRefusedNamingIt(string json, string path)
    {
        var ex = Assert.Throws<PipelineFormatException>(() => Pipeline.Parse(json));

        Assert.Equal(path, ex.Path);
    }

    [Fact]
    public void Parse_RepeatedKeyInsideAVariableValue_IsRefusedBeforeTheRun()
    {
        var tree = SmallTree();
        var text = tree.ToJsonString().Replace("\"value\":1", "\"value\":{\"k\":1,\"k\":2}", StringComparison.Ordinal);

        var ex = Assert.Throws<PipelineFormatException>(() => Pipeline.Parse(text));

        Assert.Equal("$.activities.a.component.inputs.k.value", ex.Path);
    }

    [Theory]
    [InlineData("\"value\":1", "\"value\":\"x\\ud800y\"", "$.activities.a.component.inputs.k.value")]
    [InlineData("\"value\":1", "\"value\":{\"\\udc00\":1}", "$.activities.a.component.inputs.k.value")]
    [InlineData("\"value\":1", "\"value\":[1,\"\\uDBFF\"]", "$.activities.a.component.inputs.k.value[1]")]
    public void Parse_LoneSurrogateEscape_IsRefusedNamingWhere(string find, string replace, string path)
    {
        var text = SmallTree().ToJsonString().Replace(find, replace, StringComparison.Ordinal);
        Assert.Contains(replace, text, StringComparison.Ordinal);

        var ex = Assert.Throws<PipelineFormatException>(() => Pipeline.Parse(text));

        Assert.Equal(path, ex.Path);
        Assert.Contains("lone UTF-16 surrogate", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SurrogatePairEscaped_IsText()
    {
        var text = SmallTree().ToJsonString().Replace("\"value\":1", "\"value\":\"\\ud83d\\ude00\"", StringComparison.Ordinal);

        Assert.Equal("\U0001F600", Pipeline.Parse(text).ToJson()["activities"]!["a"]!["component"]!["inputs"]!["k"]!["value"]!.GetValue<string>());
    }

    [Fact]
    public void Validate_TwoSubprocessesWithOneId_IsRefused()
    {
        EmptyStartEvent Inner(string prefix)
        {
            var s = new EmptyStartEvent(prefix + "_s");
            s.Extend(new ServiceActivity("debug_node", prefix + "_a")).Extend(new EmptyEndEvent(prefix + "_e"));
            return s;
        }

        var deepStart = new EmptyStartEvent("deep_s");
        deepStart.Extend(new SubProcess(Inner("x"), id: "sub")).Extend(new EmptyEndEvent("deep_e"));
        var start = new EmptyStartEvent("s");
        start.Extend(new SubProcess(Inner("y"), id: "sub")).Extend(new SubProcess(deepStart, id: "outer")).Extend(new EmptyEndEvent("e"));

        var ex = Assert.Throws<ConnectionValidateException>(() => new PipelineValidator().Validate(PipelineBuilder.BuildTree(start, "p")));

        Assert.Equal("sub", ex.NodeId);
    }

    [Theory]
    [InlineData("p/x", "a", "the pipeline's id contains '/'")]
    [InlineData("p", "a/b", "the node's id contains '/'")]
    [InlineData("p", "..", "the node's id is '..'")]
    [InlineData(".", "a", "the pipeline's id is '.'")]
    public void Validate_IdTheHttpApiCannotAddress_IsRefusedNamingIt(string pipelineId, string activityId, string problem)
    {
        // /api/nodes/{id}: a run with such an id could be started there but never reached again.
        var start = new EmptyStartEvent("s");
        start.Extend(new ServiceActivity("debug_node", activityId)).Extend(new EmptyEndEvent("e"));

        var ex = Assert.Throws<ConnectionValidateException>(() => new PipelineValidator().Validate(PipelineBuilder.BuildTree(start, pipelineId)));

        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        Assert.Equal(pipelineId == "p" ? activityId : pipelineId, ex.NodeId);
    }

    [Fact]
    public void Validate_NodeWithTheRootPipelinesId_IsRefused()
    {
        var start = new EmptyStartEvent("s");
        start.Extend(new ServiceActivity("debug_node", "p")).Extend(new EmptyEndEvent("e"));

        var ex = Assert.Throws<ConnectionValidateException>(() => new PipelineValidator().Validate(PipelineBuilder.BuildTree(start, "p")));

        Assert.Equal("p", ex.NodeId);
    }

    // Records made in code, 10,000 subprocess levels deep: the loader's limits do not apply, the validator's do.
    [Fact]
    public void Validate_10000SubprocessLevelsMadeInCode_IsRefusedNamingTheLimit()
    {
        var pipeline = Level("leaf", null);
        for (var i = 0; i < 10_000; i++)
        {
            pipeline = Level($"l{i}", new SubProcessNode($"sub{i}", null, [$"l{i}_f0"], [$"l{i}_f1"], new Dictionary<string, Bamboo.Engine.Model.Var>(), pipeline));
        }

        var ex = Assert.Throws<ConnectionValidateException>(() => new PipelineValidator().Validate(pipeline));

        Assert.Contains("PipelineLimits.MaxSubprocessDepth", ex.Message, StringComparison.Ordinal);
    }

    private static Pipeline Level(string prefix, SubProcessNode? activity)
    {
        var start = new StartEventNode($"{prefix}_s", null, [], [$"{prefix}_f0"]);
        var end = new EndEventNode($"{prefix}_e", null, "EmptyEndEvent", [activity is null ? $"{prefix}_f0" : $"{prefix}_f1"], []);
        var flows = new Dictionary<string, Flow> { [$"{prefix}_f0"] = new($"{prefix}_f0", start.Id, activity?.Id ?? end.Id, false) };
        if (activity is not null)
        {
            flows[$"{prefix}_f1"] = new Flow($"{prefix}_f1", activity.Id, end.Id, false);
        }

        var activities = activity is null ? new Dictionary<string, Node>() : new Dictionary<string, Node> { [activity.Id] = activity };
        return new Pipeline(prefix, start, end, activities, new Dictionary<string, GatewayNode>(), flows, PipelineData.Empty);
    }

    // A subprocess whose own graph contains it: writing the tree would recurse forever.
    [Fact]
    public void BuildTree_SubprocessEmbeddingItself_IsRefusedNamingTheLimit()
    {
        var inner = new EmptyStartEvent();
        var sub = new SubProcess(inner, id: "sub");
        inner.Extend(sub).Extend(new EmptyEndEvent());
        var start = new EmptyStartEvent();
        start.Extend(sub);

        var ex = Assert.Throws<PipelineFormatException>(() => PipelineBuilder.BuildTree(start));

        Assert.Contains("PipelineLimits.MaxSubprocessDepth", ex.Message, StringComparison.Ordinal);
    }

    private static JsonObject SmallTree()
    {
        var start = new EmptyStartEvent("s");
        var a = new ServiceActivity("debug_node", "a") { Inputs = { ["k"] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, 1) } };
        start.Extend(a).Extend(new EmptyEndEvent("e"));
        return PipelineBuilder.BuildTreeJson(start, "p");
    }
}
