using System.Text.Json.Nodes;

namespace Bamboo.Engine.Tests;

/// <summary>Access to the shared conformance corpus (../shared/conformance beside the repository).</summary>
internal static class Corpus
{
    public static string Root()
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

    public static IEnumerable<string> ScenarioFiles() =>
        Directory.EnumerateFiles(Root(), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal);

    public static JsonObject Scenario(string name) => JsonNode.Parse(File.ReadAllText(Path.Combine(Root(), name + ".json")))!.AsObject();
}
