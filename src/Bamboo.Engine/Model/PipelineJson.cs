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
            throw new PipelineFormatException("$", JsonProblem(ex));
        }

        return new TreeReader().Read(root);
    }

    /// <summary>What the reader found, on one line, with where (line and column from 1).</summary>
    private static string JsonProblem(JsonException ex)
    {
        var where = ex.LineNumber is long line ? $" at line {line + 1}, column {ex.BytePositionInLine + 1}" : "";
        if (ex.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            return $"nested deeper than {PipelineLimits.MaxJsonDepth} levels (PipelineLimits.MaxJsonDepth){where}";
        }

        // The reader's own words, without its position (given above) and with the text it quotes kept on one line.
        var reason = ex.Message;
        var position = reason.IndexOf(" LineNumber:", StringComparison.Ordinal);
        reason = (position < 0 ? reason : reason[..position]).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
        return $"not valid JSON{where}: {reason}";
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
