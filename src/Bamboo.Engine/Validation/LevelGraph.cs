using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Validation;

/// <summary>Sources and targets of every node of one pipeline level, resolved through its flows.</summary>
internal sealed class LevelGraph
{
    public LevelGraph(Pipeline pipeline)
    {
        Pipeline = pipeline;
        foreach (var node in pipeline.Nodes)
        {
            Nodes[node.Id] = node;
        }

        foreach (var node in pipeline.Nodes)
        {
            Targets[node.Id] = node.Outgoing.Select(f => Flow(f, node.Id, "outgoing").Target).ToList();
            Sources[node.Id] = node.Incoming.Select(f => Flow(f, node.Id, "incoming").Source).ToList();
        }

        foreach (var flow in pipeline.Flows.Values)
        {
            if (!Nodes.TryGetValue(flow.Source, out var source) || !Nodes.TryGetValue(flow.Target, out var target))
            {
                var missing = Nodes.ContainsKey(flow.Source) ? flow.Target : flow.Source;
                throw new ConnectionValidateException(missing, $"flow {flow.Id} refers to node {missing}, which is not in pipeline {pipeline.Id}");
            }

            if (!source.Outgoing.Contains(flow.Id))
            {
                throw new ConnectionValidateException(flow.Source, $"flow {flow.Id} leaves this node but is not in its outgoing (a {source.Type} has {source.Outgoing.Count} outgoing)");
            }

            if (!target.Incoming.Contains(flow.Id))
            {
                throw new ConnectionValidateException(flow.Target, $"flow {flow.Id} enters this node but is not in its incoming");
            }
        }
    }

    public Pipeline Pipeline { get; }

    public Dictionary<string, Node> Nodes { get; } = [];

    public Dictionary<string, List<string>> Targets { get; } = [];

    public Dictionary<string, List<string>> Sources { get; } = [];

    private Flow Flow(string flowId, string nodeId, string field) =>
        Pipeline.Flows.TryGetValue(flowId, out var f)
            ? f
            : throw new ConnectionValidateException(nodeId, $"{field} flow {flowId} does not exist in pipeline {Pipeline.Id}");

    /// <summary>Follows activities from a node's single outgoing edge to the first non-activity node.</summary>
    public string FirstNonActivityAfter(string nodeId) => FollowActivities(Targets[nodeId].FirstOrDefault() ?? Pipeline.EndEvent.Id);

    /// <summary>From <paramref name="startId"/>, follows activities to the first node that is not one.</summary>
    public string FollowActivities(string startId)
    {
        var seen = new HashSet<string>();
        var current = startId;
        while (Nodes[current].IsActivity && seen.Add(current))
        {
            current = Targets[current].FirstOrDefault() ?? Pipeline.EndEvent.Id;
        }

        return current;
    }
}
