using Bamboo.Cli.Conformance;

namespace Bamboo.Runtime.Tests.Conformance;

/// <summary>Every scenario file of shared/conformance, one test each, on the SQLite runtime.</summary>
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
}
