using System.Text.Json.Nodes;
using Bamboo.Engine.Model;

namespace Bamboo.Cli.Commands;

/// <summary>Reads a tree file; a conformance scenario file is accepted too (its "pipeline" field is the tree).</summary>
internal static class TreeLoader
{
    /// <summary>Nodes of every level, subprocesses included.</summary>
    public static int CountNodes(Pipeline p) => p.Nodes.Count() + p.Activities.Values.OfType<SubProcessNode>().Sum(s => CountNodes(s.Pipeline));

    public static Pipeline Load(string file)
    {
        if (Directory.Exists(file))
        {
            // Reading a folder fails with "access denied", which sends the user after permissions.
            throw new IOException($"'{file}' is a folder, not a tree's JSON file");
        }

        var text = File.ReadAllText(file);
        try
        {
            if (JsonNode.Parse(text) is JsonObject o && o["steps"] is not null && o["pipeline"] is JsonObject tree)
            {
                return Pipeline.Parse(tree.ToJsonString());
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Fall through: Pipeline.Parse reports the JSON error with its position.
        }

        return Pipeline.Parse(text);
    }
}
