using System.Text.Json.Nodes;

namespace Bamboo.Engine.Model;

/// <summary>An immutable pipeline level: one start, one end, activities, gateways, flows and data.</summary>
public sealed record Pipeline(
    string Id, StartEventNode StartEvent, EndEventNode EndEvent,
    IReadOnlyDictionary<string, Node> Activities, IReadOnlyDictionary<string, GatewayNode> Gateways,
    IReadOnlyDictionary<string, Flow> Flows, PipelineData Data)
{
    internal JsonObject Source { get; init; } = new();

    /// <summary>Every node of this level (not of nested subprocesses), start first, end second.</summary>
    public IEnumerable<Node> Nodes
    {
        get
        {
            yield return StartEvent;
            yield return EndEvent;
            foreach (var a in Activities.Values)
            {
                yield return a;
            }

            foreach (var g in Gateways.Values)
            {
                yield return g;
            }
        }
    }

    /// <summary>Looks a node of this level up by id.</summary>
    public Node? FindNode(string id)
    {
        if (StartEvent.Id == id)
        {
            return StartEvent;
        }

        if (EndEvent.Id == id)
        {
            return EndEvent;
        }

        if (Activities.TryGetValue(id, out var a))
        {
            return a;
        }

        return Gateways.TryGetValue(id, out var g) ? g : null;
    }

    /// <summary>Reads a pipeline tree from JSON text; errors name the offending field.</summary>
    public static Pipeline Parse(string json) => PipelineJson.Parse(json);

    /// <summary>Writes the tree back to JSON, every field of the source preserved.</summary>
    public JsonObject ToJson() => PipelineJson.Write(this);
}
