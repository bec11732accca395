using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bamboo.Engine.Model;

internal static partial class PipelineJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject Write(Pipeline p)
    {
        var o = (JsonObject)p.Source.DeepClone();
        o["id"] = p.Id;
        o["start_event"] = WriteNode(p.StartEvent);
        o["end_event"] = WriteNode(p.EndEvent);
        var acts = new JsonObject();
        foreach (var (k, a) in p.Activities)
        {
            acts[k] = WriteNode(a);
        }

        o["activities"] = acts;
        var gws = new JsonObject();
        foreach (var (k, g) in p.Gateways)
        {
            gws[k] = WriteNode(g);
        }

        o["gateways"] = gws;
        if (!o.ContainsKey("flows"))
        {
            o["flows"] = new JsonObject();
        }

        return o;
    }

    private static JsonObject WriteNode(Node n)
    {
        var o = (JsonObject?)n.Source?.DeepClone() ?? [];
        if (!WrittenRefs(o["incoming"]).SequenceEqual(n.Incoming))
        {
            o["incoming"] = new JsonArray(n.Incoming.Select(i => (JsonNode)i).ToArray());
        }

        switch (n)
        {
            case GatewayNode g when g.ConvergeGatewayId is not null:
                o["converge_gateway_id"] = g.ConvergeGatewayId;
                break;
            case SubProcessNode s:
                o["pipeline"] = Write(s.Pipeline);
                break;
        }

        return o;
    }

    /// <summary>The flow ids an incoming field holds, whichever of its three shapes it has.</summary>
    private static IEnumerable<string?> WrittenRefs(JsonNode? node) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0 ? [] : [s],
        JsonArray a => a.Select(x => x is JsonValue xv && xv.TryGetValue<string>(out var xs) ? xs : null),
        _ => [],
    };

    public static string ToText(JsonNode node) => node.ToJsonString(Indented);
}
