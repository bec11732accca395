using System.Text.Json;
using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Model;

/// <summary>Reads and writes the pipeline tree JSON of pipeline-tree.md, naming the field on every error.</summary>
internal static partial class PipelineJson
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        MaxDepth = PipelineLimits.MaxJsonDepth,
    };

    public static Pipeline Parse(string json)
    {
        JsonElement root;
        try
        {
            root = JsonElement.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new PipelineFormatException("$", $"not valid JSON or nested deeper than {PipelineLimits.MaxJsonDepth} levels (PipelineLimits.MaxJsonDepth): {ex.Message}");
        }

        return new TreeReader().Read(root);
    }

    /// <summary>Reads a tree made in memory (the builder's); it goes through its text so it is read exactly like a parsed one.</summary>
    public static Pipeline Read(JsonNode? node, string path)
    {
        if (node is not JsonObject)
        {
            throw new PipelineFormatException(path, node is null ? "required object is missing" : "must be an object");
        }

        string text;
        try
        {
            text = node.ToJsonString();
        }
        catch (InvalidOperationException ex)
        {
            throw new PipelineFormatException(path, $"cannot be written as JSON ({ex.Message})");
        }

        return Parse(text);
    }
}
