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

    public static List<string> Strings(ISqlRow r, int i) => JsonSerializer.Deserialize<List<string>>(r.GetString(i)) ?? [];
}
