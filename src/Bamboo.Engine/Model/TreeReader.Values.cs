using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Model;

// Reading single values: strings (pooled), ids, flags, lists, JSON values kept as nodes, and the error path.
internal sealed partial class TreeReader
{
    private List<string> FlowRefs(JsonElement? value, string field)
    {
        switch (value)
        {
            case null:
                return [];
            case { ValueKind: JsonValueKind.String } v:
                var s = String(v);
                return s.Length == 0 ? [] : [CheckIdLength(s, field)];
            case { ValueKind: JsonValueKind.Array } a:
                var list = StringList(a, field);
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i].Length > PipelineLimits.MaxIdLength)
                    {
                        CheckIdLength(list[i], $"{field}[{i}]");
                    }
                }

                return list;
            default:
                throw Error(field, "must be a flow id, a list of flow ids or \"\"");
        }
    }

    private List<string> StringList(JsonElement? value, string field)
    {
        if (value is null)
        {
            return [];
        }

        if (value.Value.ValueKind != JsonValueKind.Array)
        {
            throw Error(field, "must be a list of strings");
        }

        var list = new List<string>(value.Value.GetArrayLength());
        foreach (var item in value.Value.EnumerateArray())
        {
            list.Add(item.ValueKind == JsonValueKind.String ? String(item) : throw Error($"{field}[{list.Count}]", "must be a string"));
        }

        return list;
    }

    private static JsonElement? Get(JsonElement obj, string key) =>
        obj.TryGetProperty(key, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    private JsonElement Object(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.Object } o => o,
        null or { ValueKind: JsonValueKind.Null } => throw Error(null, "required object is missing"),
        _ => throw Error(null, "must be an object"),
    };

    private string RequiredString(JsonElement? value, string field) => value switch
    {
        { ValueKind: JsonValueKind.String } v when String(v) is { Length: > 0 } s => s,
        null => throw Error(field, "required string is missing"),
        _ => throw Error(field, "must be a non-empty string"),
    };

    /// <summary>An id-valued field: a non-empty string of at most <see cref="PipelineLimits.MaxIdLength"/> characters.</summary>
    private string Id(JsonElement? value, string field) => CheckIdLength(RequiredString(value, field), field);

    private string CheckIdLength(string id, string? field) =>
        id.Length <= PipelineLimits.MaxIdLength
            ? id
            : throw Error(field, $"is {id.Length} characters long; ids may have at most {PipelineLimits.MaxIdLength} (PipelineLimits.MaxIdLength)");

    /// <summary>An activity's timeout in seconds: a positive number, or absent/null/0 for none.</summary>
    private TimeSpan? Timeout(JsonElement? value) => value switch
    {
        null => null,
        { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var seconds) && seconds == 0 => null,
        { ValueKind: JsonValueKind.Number } n when n.TryGetDouble(out var seconds) && seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2 => TimeSpan.FromSeconds(seconds),
        _ => throw Error("timeout", "must be a number of seconds (or null for none)"),
    };

    private bool Bool(JsonElement? value, string field, bool fallback) => value switch
    {
        null => fallback,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw Error(field, "must be true or false"),
    };

    /// <summary>
    /// A mutable node over a JSON value the engine reads (a variable's value, a gateway's extra_info), created lazily from
    /// the document, so nothing is copied until it changes. Its objects are checked for repeated keys first: a
    /// <see cref="JsonObject"/> refuses them only when it is first read, which would be in the middle of a run.
    /// </summary>
    private JsonNode? NodeOf(JsonElement? value, string field)
    {
        switch (value)
        {
            case null:
                return null;
            case { ValueKind: JsonValueKind.Object } o:
                CheckUniqueKeys(o, field);
                return JsonObject.Create(o);
            case { ValueKind: JsonValueKind.Array } a:
                CheckUniqueKeys(a, field);
                return JsonArray.Create(a);
            case { } v:
                return JsonValue.Create(v);
        }
    }

    private void CheckUniqueKeys(JsonElement value, string field)
    {
        // Iterative: a value may nest as deep as the document allows.
        var pending = new Stack<JsonElement>();
        pending.Push(value);
        while (pending.TryPop(out var e))
        {
            if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in e.EnumerateArray())
                {
                    if (item.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        pending.Push(item);
                    }
                }

                continue;
            }

            HashSet<string>? names = null;
            foreach (var property in e.EnumerateObject())
            {
                names ??= [];
                if (!names.Add(property.Name))
                {
                    throw Error(field, $"repeats the key \"{Segment(property.Name)}\" in one of its objects");
                }

                if (property.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
                {
                    pending.Push(property.Value);
                }
            }
        }
    }

    /// <summary>Adds a member of an object keyed by id or name; a repeated key is refused (the path is the member's).</summary>
    private void Add<T>(Dictionary<string, T> map, string key, T value)
    {
        if (!map.TryAdd(key, value))
        {
            throw Error(null, "is repeated (a key may occur once in an object)");
        }
    }

    private static int Count(JsonElement? members) => members is { ValueKind: JsonValueKind.Object } m ? m.GetPropertyCount() : 0;

    /// <summary>A string value, pooled when short and unescaped: the pool is looked up by its characters, so a repeated id costs no allocation.</summary>
    private string String(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value);
        return Pooled(raw[1..^1]) ?? value.GetString()!;
    }

    private string Name(JsonProperty property) => Pooled(JsonMarshal.GetRawUtf8PropertyName(property)) ?? property.Name;

    private string? Pooled(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > PooledLength || utf8.Contains((byte)'\\'))
        {
            return null;
        }

        Span<char> chars = stackalloc char[PooledLength];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        if (!_stringsBySpan.TryGetValue(chars[..length], out var s))
        {
            s = new string(chars[..length]);
            _strings.Add(s, s);
        }

        return s;
    }

    /// <summary>Runs <paramref name="read"/> with <paramref name="segment"/> pushed on the path.</summary>
    private T In<T>(string segment, Func<T> read)
    {
        _path.Add(segment);
        var result = read();
        Pop(1);
        return result;
    }

    private void Pop(int segments) => _path.RemoveRange(_path.Count - segments, segments);

    private PipelineFormatException Error(string? field, string problem)
    {
        var path = new StringBuilder();
        foreach (var segment in field is null ? _path : [.. _path, field])
        {
            path.Append(path.Length == 0 || segment.StartsWith('[') ? "" : ".").Append(segment);
        }

        return new PipelineFormatException(path.ToString(), problem);
    }

    /// <summary>A path segment for an object key; a huge key is cut so the message stays readable.</summary>
    private static string Segment(string key) =>
        key.Length <= PipelineLimits.MaxIdLength ? key : $"{key[..32]}...({key.Length} characters)";
}
