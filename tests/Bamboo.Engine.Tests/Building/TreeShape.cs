using System.Text.Json.Nodes;

namespace Bamboo.Engine.Tests.Building;

/// <summary>Compares trees "ids aside": flow ids are replaced by source>target, key order is ignored.</summary>
internal static class TreeShape
{
    public static JsonObject Canonical(JsonObject tree)
    {
        var names = new Dictionary<string, string>();
        Collect(tree, names);
        return (JsonObject)Rename(tree, names)!;
    }

    private static void Collect(JsonObject pipeline, Dictionary<string, string> names)
    {
        foreach (var (id, flow) in pipeline["flows"]!.AsObject())
        {
            names[id] = $"{flow!["source"]}>{flow["target"]}";
        }

        foreach (var (_, act) in pipeline["activities"]!.AsObject())
        {
            if (act!["pipeline"] is JsonObject sub)
            {
                Collect(sub, names);
            }
        }
    }

    private static JsonNode? Rename(JsonNode? node, Dictionary<string, string> names) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(names.GetValueOrDefault(kv.Key, kv.Key), Rename(kv.Value, names)))),
        JsonArray a => new JsonArray(a.Select(x => Rename(x, names)).ToArray()),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(names.GetValueOrDefault(s, s)),
        _ => node?.DeepClone(),
    };

    public static void ListifyEndIncoming(JsonObject tree)
    {
        if (tree["end_event"] is JsonObject end && end["incoming"] is JsonValue single)
        {
            end["incoming"] = new JsonArray(single.GetValue<string>());
        }

        foreach (var (_, act) in tree["activities"]!.AsObject())
        {
            if (act!["pipeline"] is JsonObject sub)
            {
                ListifyEndIncoming(sub);
            }
        }
    }

    public static bool Equal(JsonNode? a, JsonNode? b) => (a, b) switch
    {
        (null, null) => true,
        (JsonObject x, JsonObject y) => x.Count == y.Count && x.All(kv => y.TryGetPropertyValue(kv.Key, out var v) && Equal(kv.Value, v)),
        (JsonArray x, JsonArray y) => x.Count == y.Count && x.Zip(y).All(p => Equal(p.First, p.Second)),
        (JsonValue x, JsonValue y) => x.ToJsonString() == y.ToJsonString(),
        _ => false,
    };
}
