using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bamboo.Runtime.Relational.Stores;

/// <summary>Column readers shared by the stores' row mappers.</summary>
internal static class Rows
{
    public static JsonObject Object(ISqlRow r, int i) => r.IsNull(i) ? [] : JsonNode.Parse(r.GetString(i)) as JsonObject ?? [];

    public static long? NullableLong(ISqlRow r, int i) => r.IsNull(i) ? null : r.GetInt64(i);

    public static string? NullableString(ISqlRow r, int i) => r.IsNull(i) ? null : r.GetString(i);

    public static bool Bool(ISqlRow r, int i) => r.GetInt64(i) != 0;

    /// <summary>A JSON array of strings (a process's stack, a context value's references), read without reflection.</summary>
    public static List<string> Strings(ISqlRow r, int i)
    {
        var text = r.GetString(i);
        var strings = new List<string>();
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text));
        if (!reader.Read() || reader.TokenType == JsonTokenType.Null)
        {
            return strings;
        }

        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw new FormatException($"expected a JSON array of strings, got {text}");
        }

        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            strings.Add(reader.TokenType == JsonTokenType.String
                ? reader.GetString()!
                : throw new FormatException($"expected a JSON array of strings, got {text}"));
        }

        return strings;
    }
}
