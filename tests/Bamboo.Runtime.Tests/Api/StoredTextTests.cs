using System.Text.Json.Nodes;
using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Client;
using Bamboo.Engine.Components;
using Bamboo.Engine.Model;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Runtime.Tests.Chaos;

namespace Bamboo.Runtime.Tests.Api;

/// <summary>
/// Text with U+0000 (NUL) where the store keeps it in a column of its own: PostgreSQL's text type cannot hold it, so
/// before this rule a tree SQLite ran failed on PostgreSQL with a store error, and a query with such an id failed there
/// while SQLite answered "unknown". Now every store gives the same answer: the tree is refused naming where, and an
/// id with NUL names nothing.
/// </summary>
public abstract class StoredTextTests(string dialect) : IAsyncLifetime
{
    private ChaosDatabase? _database;
    private BambooEngine _engine = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await ChaosDatabase.CreateAsync(dialect);
        if (_database is not null)
        {
            _engine = new BambooEngine(await _database.OpenAsync(), new ComponentRegistry().AddTestkit());
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    private BambooEngine Engine
    {
        get
        {
            Assert.SkipWhen(_database is null, $"{Workers.PostgresScratch.Variable} is not set");
            return _engine;
        }
    }

    /// <summary>Where the NUL goes in a start → activity → end tree, and what the refusal must name.</summary>
    public static TheoryData<string> Places() => ["pipeline id", "node id", "flow id", "component code", "component version", "data key", "tree name"];

    [Theory]
    [MemberData(nameof(Places))]
    public async Task RunPipeline_NulWhereTheStoreKeepsText_RefusedNamingWhere_NothingStored(string place)
    {
        var engine = Engine;
        var (pipeline, act) = EngineHarness.OneActivity("empty_node");
        var tree = pipeline.ToJson();
        var activity = tree["activities"]![act]!.AsObject();
        var flow = tree["flows"]!.AsObject().First().Key;
        var expected = place switch
        {
            "pipeline id" => Rename(tree, pipeline.Id, "p\0x", "the pipeline's id"),
            "node id" => Rename(tree, act, "a\0b", "the node's id"),
            "flow id" => Rename(tree, flow, "f\0g", "the flow's id"),
            "component code" => Set(activity["component"]!.AsObject(), "code", "empty\0node", $"node {act}: component.code"),
            "component version" => Set(activity["component"]!.AsObject(), "version", "v\01", $"node {act}: component.code or component.version"),
            "data key" => Set(tree["data"]!["inputs"]!.AsObject(), "${k\0}", new JsonObject { ["type"] = "plain", ["value"] = 1 }, "data.inputs key ${k\\0}"),
            _ => Set(tree, "name", "nightly\0", "the tree's name"),
        };

        var result = await EngineApi.RunPipelineAsync(engine, Pipeline.Parse(tree.ToJsonString()), new RunPipelineOptions { CheckComponents = false });

        Assert.False(result.Result, $"a tree with NUL in its {place} was taken");
        Assert.Contains("U+0000", result.Message);
        Assert.Contains(expected, result.Message);
        Assert.Empty((await new BambooClient(engine).ListPipelinesAsync()).Items);

        // The store is as healthy as before: the same tree without the NUL starts.
        Assert.True((await EngineApi.RunPipelineAsync(engine, pipeline)).Result);
    }

    [Fact]
    public async Task RunPipeline_NulInANameOrContextKeyGivenAsAnOption_RefusedNamingTheOption()
    {
        var engine = Engine;
        foreach (var (options, expected) in new (RunPipelineOptions, string)[]
        {
            (new RunPipelineOptions { Name = "n\0" }, "options.Name"),
            (new RunPipelineOptions { Queue = "q\0" }, "options.Queue"),
            (new RunPipelineOptions { RootPipelineContext = new JsonObject { ["k\0"] = 1 } }, "context key k\\0"),
        })
        {
            var result = await EngineApi.RunPipelineAsync(engine, EngineHarness.OneActivity("empty_node").Pipeline, options);
            Assert.False(result.Result, $"NUL in {expected} was taken");
            Assert.Contains($"{expected} contains the character U+0000", result.Message);
        }

        Assert.Empty((await new BambooClient(engine).ListPipelinesAsync()).Items);
    }

    [Fact]
    public async Task EveryFunction_IdWithNul_RefusedSayingSo_ClientQueriesFindNothing()
    {
        var engine = Engine;
        var (pipeline, act) = EngineHarness.OneActivity("callback_node");
        Assert.True((await EngineApi.RunPipelineAsync(engine, pipeline)).Result);

        foreach (var (name, call) in ArgumentFuzzTests.Calls(engine, pipeline.Id + "\0"))
        {
            var result = await call();
            Assert.False(result.Result, $"{name} took an id with NUL");
            Assert.IsType<ArgumentException>(result.Exception);
            Assert.Contains("U+0000", result.Message);
        }

        // A companion argument the store would compare (a callback's version, a gateway's flows) is refused the same way.
        var callback = await EngineApi.CallbackAsync(engine, act, "v\0", null);
        Assert.Contains("version contains the character U+0000", callback.Message);
        var skip = await EngineApi.SkipConditionalParallelGatewayAsync(engine, act, ["f\0"], "g");
        Assert.Contains("flowIds contains the character U+0000", skip.Message);

        var client = new BambooClient(engine);
        Assert.Null(await client.GetPipelineAsync(pipeline.Id + "\0"));
        Assert.Null(await client.GetOutcomeAsync(pipeline.Id + "\0"));
        Assert.Null(await client.GetPipelineOutputsAsync(pipeline.Id + "\0"));
        Assert.Null(await client.GetNodeAsync(act + "\0"));
        Assert.Empty((await client.ListPipelinesAsync(new PipelineQuery { Text = pipeline.Id[..4] + "\0" })).Items);
        Assert.Single((await client.ListPipelinesAsync(new PipelineQuery { Text = pipeline.Id[..4] })).Items);
    }

    private static string Rename(JsonObject tree, string from, string to, string what)
    {
        // Every mention of the id (keys, ids, flow ends) changes, so the tree stays well formed.
        var text = tree.ToJsonString().Replace($"\"{from}\"", JsonValue.Create(to).ToJsonString(), StringComparison.Ordinal);
        foreach (var (key, value) in JsonNode.Parse(text)!.AsObject().ToList())
        {
            tree[key] = value?.DeepClone();
        }

        return $"{to.Replace("\0", "\\0", StringComparison.Ordinal)}: {what}";
    }

    private static string Set(JsonObject obj, string key, JsonNode value, string expected)
    {
        obj[key] = value;
        return expected;
    }
}

public sealed class SqliteStoredTextTests() : StoredTextTests("sqlite");

public sealed class PostgresStoredTextTests() : StoredTextTests("postgres");
