using System.Text.Json.Nodes;
using Bamboo.Cli.Commands;

namespace Bamboo.Cli.Tests.Commands;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-validate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string CorpusRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "conformance");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/conformance not found");
    }

    public static TheoryData<string> ScenarioFiles() =>
        [.. Directory.EnumerateFiles(CorpusRoot(), "*.json", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(CorpusRoot(), f))];

    private static (int Code, string Out, string Err) Run(string file, bool cycles = false)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = ValidateCommand.Run(file, cycles, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private string Write(string json)
    {
        var path = Path.Combine(_dir, Guid.NewGuid().ToString("N") + ".json");
        File.WriteAllText(path, json);
        return path;
    }

    private static JsonObject ValidTree() => JsonNode.Parse("""
        {"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent", "incoming": "", "outgoing": "f1"},
         "end_event": {"id": "e", "type": "EmptyEndEvent", "incoming": ["f2"], "outgoing": ""},
         "activities": {"a": {"id": "a", "type": "ServiceActivity", "incoming": ["f1"], "outgoing": "f2",
                              "component": {"code": "debug_node", "inputs": {}}, "error_ignorable": false, "skippable": true, "retryable": true}},
         "gateways": {},
         "flows": {"f1": {"id": "f1", "source": "s", "target": "a"}, "f2": {"id": "f2", "source": "a", "target": "e"}},
         "data": {"inputs": {}, "outputs": []}}
        """)!.AsObject();

    [Fact]
    public void Run_AFolder_SaysItIsAFolder()
    {
        var (code, _, error) = Run(_dir);

        Assert.Equal(2, code);
        Assert.Equal($"cannot read {_dir}: '{_dir}' is a folder, not a tree's JSON file", error.Trim());
    }

    [Fact]
    public void Run_LoopWithoutCycleTolerate_NamesTheCliOption()
    {
        var looping = Directory.EnumerateFiles(Path.Combine(CorpusRoot(), "advanced"), "*.json", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => Run(f))
            .First(r => r.Code == 2 && r.Err.Contains("circle", StringComparison.Ordinal));

        Assert.Contains("pass --cycle-tolerate to allow loops", looping.Err, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(ScenarioFiles))]
    public void Run_ConformanceScenario_ExitsZero(string file)
    {
        var (code, output, error) = Run(Path.Combine(CorpusRoot(), file), cycles: file.StartsWith("advanced", StringComparison.Ordinal));

        Assert.True(code == 0, error);
        Assert.StartsWith("valid: pipeline ", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_ValidTree_PrintsOneLineSummary()
    {
        var (code, output, _) = Run(Write(ValidTree().ToJsonString()));

        Assert.Equal(0, code);
        Assert.Equal("valid: pipeline p, 3 nodes", output.Trim());
    }

    [Fact]
    public void Run_BadJson_ExitsTwoWithPosition()
    {
        var (code, _, error) = Run(Write("{\"id\": \"p\", "));

        Assert.Equal(2, code);
        Assert.Contains("not valid JSON at line 1, column 13: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_NotJsonAtAll_OneLineSayingWhatAndWhere()
    {
        var (code, _, error) = Run(Write("this is not json\n"));

        Assert.Equal(2, code);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.Contains("not valid JSON at line 1", error, StringComparison.Ordinal);
        Assert.DoesNotContain("nested deeper", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingStart_ExitsTwoNamingTheField()
    {
        var tree = ValidTree();
        tree.Remove("start_event");

        var (code, _, error) = Run(Write(tree.ToJsonString()));

        Assert.Equal(2, code);
        Assert.Contains("$.start_event", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_DanglingFlow_ExitsTwoNamingTheFlow()
    {
        var tree = ValidTree();
        tree["flows"]!["f2"]!["target"] = "nowhere";

        var (code, _, error) = Run(Write(tree.ToJsonString()));

        Assert.Equal(2, code);
        Assert.Contains("f2", error, StringComparison.Ordinal);
        Assert.Contains("nowhere", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_UnknownNodeType_ExitsTwoNamingTheNode()
    {
        var tree = ValidTree();
        tree["activities"]!["a"]!["type"] = "Teleporter";

        var (code, _, error) = Run(Write(tree.ToJsonString()));

        Assert.Equal(2, code);
        Assert.Contains("$.activities.a.type", error, StringComparison.Ordinal);
        Assert.Contains("Teleporter", error, StringComparison.Ordinal);
    }

    // s -> pg -> {a1, a2} -> e (no converge gateway)
    [Fact]
    public void Run_UnpairedParallelGateway_ExitsTwoNamingTheGateway()
    {
        var tree = JsonNode.Parse("""
            {"id": "p", "start_event": {"id": "s", "type": "EmptyStartEvent", "incoming": "", "outgoing": "f0"},
             "end_event": {"id": "e", "type": "EmptyEndEvent", "incoming": ["f3", "f4"], "outgoing": ""},
             "activities": {
               "a1": {"id": "a1", "type": "ServiceActivity", "incoming": ["f1"], "outgoing": "f3", "component": {"code": "debug_node", "inputs": {}}},
               "a2": {"id": "a2", "type": "ServiceActivity", "incoming": ["f2"], "outgoing": "f4", "component": {"code": "debug_node", "inputs": {}}}},
             "gateways": {"pg": {"id": "pg", "type": "ParallelGateway", "incoming": ["f0"], "outgoing": ["f1", "f2"]}},
             "flows": {"f0": {"id": "f0", "source": "s", "target": "pg"}, "f1": {"id": "f1", "source": "pg", "target": "a1"},
                       "f2": {"id": "f2", "source": "pg", "target": "a2"}, "f3": {"id": "f3", "source": "a1", "target": "e"},
                       "f4": {"id": "f4", "source": "a2", "target": "e"}}}
            """)!;

        var (code, _, error) = Run(Write(tree.ToJsonString()));

        Assert.Equal(2, code);
        Assert.Contains("gateway pg", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_MissingFile_ExitsTwo()
    {
        var (code, _, error) = Run(Path.Combine(_dir, "absent.json"));

        Assert.Equal(2, code);
        Assert.Contains("cannot read", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Run_EmptyComponentsPath_OneLineExitTwo(string path)
    {
        var tree = Path.Combine(PackageBuilds.RepositoryRoot(), "examples", "hello.json");
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = ValidateCommand.Run(tree, false, output, error, [path]);

        Assert.Equal(2, code);
        Assert.Contains("cannot load components from", error.ToString(), StringComparison.Ordinal);
    }
}
