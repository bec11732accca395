using System.Text.Json.Nodes;
using Bamboo.Cli.Conformance;

namespace Bamboo.Runtime.Tests.Conformance;

/// <summary>
/// Every scenario file of shared/conformance, one test each, on each runtime: SQLite through the CLI's runner, and
/// PostgreSQL (when BAMBOO_TEST_POSTGRES names a server) on an engine built here, on a schema of its own per scenario.
/// </summary>
public sealed class ConformanceScenarioTests
{
    public static string CorpusRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "conformance");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException("shared/conformance not found above the test directory");
    }

    public static TheoryData<string> Scenarios()
    {
        var root = CorpusRoot();
        var data = new TheoryData<string>();
        foreach (var file in ScenarioRunner.FindScenarios(root).Where(f => !f.EndsWith("FORMAT.md", StringComparison.Ordinal)))
        {
            data.Add(Path.GetRelativePath(root, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_OnSqlite_Passes(string scenario)
    {
        var sut = new ScenarioRunner();

        var result = await sut.RunFileAsync(Path.Combine(CorpusRoot(), scenario), TestContext.Current.CancellationToken);

        Assert.True(result.Passed, result.Failure);
    }

    [Theory]
    [MemberData(nameof(Scenarios))]
    public async Task Scenario_OnPostgres_Passes(string scenario)
    {
        var steps = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(CorpusRoot(), scenario), TestContext.Current.CancellationToken))!.AsObject();
        await using var host = await PostgresScenarioHost.StartAsync();
        var sut = new ScenarioSession(host.Engine, steps);

        var failure = await sut.RunAsync(TestContext.Current.CancellationToken);

        Assert.True(failure is null, host.StoreError is null ? failure : $"{failure}; the workers' store failed: {host.StoreError}");
    }
}
