using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Validation;

/// <summary>
/// The nodes of one pipeline level, numbered, with the numbers of their sources and targets resolved through the
/// level's flows. The checks walk numbers rather than ids: a 200,000-node level made them hash ids millions of times.
/// </summary>
internal sealed class LevelGraph
{
    private readonly Dictionary<string, int> _index;

    public LevelGraph(Pipeline pipeline)
    {
        Pipeline = pipeline;
        var nodes = new List<Node>(pipeline.Activities.Count + pipeline.Gateways.Count + 2);
        _index = new Dictionary<string, int>(nodes.Capacity);
        foreach (var node in pipeline.Nodes)
        {
            // Ids are unique across the tree once the validator checked them; the first node keeps an id otherwise.
            if (_index.TryAdd(node.Id, nodes.Count))
            {
                nodes.Add(node);
            }
        }

        Nodes = [.. nodes];
        foreach (var node in Nodes)
        {
            CheckFlowsExist(node.Outgoing, node.Id, "outgoing");
            CheckFlowsExist(node.Incoming, node.Id, "incoming");
        }

        foreach (var flow in pipeline.Flows.Values)
        {
            if (!_index.TryGetValue(flow.Source, out var source) || !_index.TryGetValue(flow.Target, out var target))
            {
                var missing = _index.ContainsKey(flow.Source) ? flow.Target : flow.Source;
                throw new ConnectionValidateException(missing, $"flow {flow.Id} refers to node {missing}, which is not in pipeline {pipeline.Id}");
            }

            if (!Nodes[source].Outgoing.Contains(flow.Id))
            {
                throw new ConnectionValidateException(flow.Source, $"flow {flow.Id} leaves this node but is not in its outgoing (a {Nodes[source].Type} has {Nodes[source].Outgoing.Count} outgoing)");
            }

            if (!Nodes[target].Incoming.Contains(flow.Id))
            {
                throw new ConnectionValidateException(flow.Target, $"flow {flow.Id} enters this node but is not in its incoming");
            }
        }

        Targets = new int[Nodes.Length][];
        Sources = new int[Nodes.Length][];
        for (var i = 0; i < Nodes.Length; i++)
        {
            Targets[i] = Ends(Nodes[i].Outgoing, target: true);
            Sources[i] = Ends(Nodes[i].Incoming, target: false);
        }

        Start = _index[pipeline.StartEvent.Id];
        End = _index[pipeline.EndEvent.Id];
    }

    public Pipeline Pipeline { get; }

    /// <summary>The nodes of the level; a node's number is its index here.</summary>
    public Node[] Nodes { get; }

    /// <summary>For each node, the numbers of the nodes its outgoing flows lead to, in the order of its outgoing list.</summary>
    public int[][] Targets { get; }

    /// <summary>For each node, the numbers of the nodes its incoming flows come from, in the order of its incoming list.</summary>
    public int[][] Sources { get; }

    public int Start { get; }

    public int End { get; }

    public int IndexOf(string id) => _index[id];

    public bool Contains(string id) => _index.ContainsKey(id);

    /// <summary>The ids of a node's targets.</summary>
    public List<string> TargetIds(string id) => [.. Targets[_index[id]].Select(t => Nodes[t].Id)];

    private void CheckFlowsExist(IReadOnlyList<string> flows, string nodeId, string field)
    {
        foreach (var f in flows)
        {
            if (!Pipeline.Flows.ContainsKey(f))
            {
                throw new ConnectionValidateException(nodeId, $"{field} flow {f} does not exist in pipeline {Pipeline.Id}");
            }
        }
    }

    private int[] Ends(IReadOnlyList<string> flows, bool target)
    {
        var ends = new int[flows.Count];
        for (var i = 0; i < ends.Length; i++)
        {
            var flow = Pipeline.Flows[flows[i]];
            ends[i] = _index[target ? flow.Target : flow.Source];
        }

        return ends;
    }

    /// <summary>Follows activities from a node's single outgoing edge to the first non-activity node.</summary>
    public string FirstNonActivityAfter(string nodeId)
    {
        var targets = Targets[_index[nodeId]];
        return targets.Length > 0 ? FollowActivities(Nodes[targets[0]].Id) : FollowActivities(Pipeline.EndEvent.Id);
    }

    /// <summary>From <paramref name="startId"/>, follows activities to the first node that is not one.</summary>
    public string FollowActivities(string startId)
    {
        var seen = new HashSet<int>();
        var current = _index[startId];
        while (Nodes[current].IsActivity && seen.Add(current))
        {
            current = Targets[current].Length > 0 ? Targets[current][0] : End;
        }

        return Nodes[current].Id;
    }
}
