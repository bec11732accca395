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

        if (MayHoldLoneSurrogate(json) && LoneSurrogateAt(root, "$") is { } path)
        {
            // Valid JSON, but not text: reading that string would throw deep in the reader or the store.
            throw new PipelineFormatException(path, "holds a lone UTF-16 surrogate escape (\\uD800-\\uDFFF without its pair), which is not text");
        }

        return new TreeReader().Read(root);
    }

    /// <summary>Whether the text escapes a surrogate at all (a cheap scan; most trees never do).</summary>
    private static bool MayHoldLoneSurrogate(string json)
    {
        for (var i = json.IndexOf("\\u", StringComparison.Ordinal); i >= 0 && i + 3 < json.Length; i = json.IndexOf("\\u", i + 2, StringComparison.Ordinal))
        {
            if (json[i + 2] is 'd' or 'D' && json[i + 3] is (>= '8' and <= '9') or (>= 'a' and <= 'f') or (>= 'A' and <= 'F'))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The path of the first string or key that is not text (a surrogate escape without its pair), if any.</summary>
    private static string? LoneSurrogateAt(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return IsText(() => element.GetString()) ? null : path;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name = "";
                    if (!IsText(() => name = property.Name))
                    {
                        return path;
                    }

                    if (LoneSurrogateAt(property.Value, $"{path}.{name}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (LoneSurrogateAt(item, $"{path}[{index++}]") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool IsText(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
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
