using System.Text.Json.Nodes;

namespace Bamboo.Cli.Conformance;

/// <summary>JSON equality with Python semantics for numbers (1 == 1.0) but booleans kept apart from numbers.</summary>
internal static class JsonCompare
{
    public static bool Equal(JsonNode? a, JsonNode? b)
    {
        switch (a, b)
        {
            case (null, null):
                return true;
            case (JsonObject x, JsonObject y):
                return x.Count == y.Count && x.All(kv => y.TryGetPropertyValue(kv.Key, out var v) && Equal(kv.Value, v));
            case (JsonArray x, JsonArray y):
                return x.Count == y.Count && x.Zip(y).All(p => Equal(p.First, p.Second));
            case (JsonValue, JsonValue):
                var pa = Bamboo.Engine.Expressions.PyOps.FromJson(a);
                var pb = Bamboo.Engine.Expressions.PyOps.FromJson(b);
                return (pa is bool) == (pb is bool) && Bamboo.Engine.Expressions.PyOps.PyEquals(pa, pb);
            default:
                return false;
        }
    }

    public static string Show(JsonNode? n) => n?.ToJsonString() ?? "null";
}
