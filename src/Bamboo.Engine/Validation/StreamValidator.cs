using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Validation;

/// <summary>Rejects nodes reachable both from inside a parallel branch and from elsewhere (validation.md §5).</summary>
internal static class StreamValidator
{
    private const string Main = "main";

    /// <summary>Checks one level; <paramref name="gateways"/> are its gateways with their converge gateway ids filled in.</summary>
    public static void Check(LevelGraph graph, IReadOnlyDictionary<string, GatewayNode> gateways)
    {
        // bamboo keeps a set of stream labels per node and fails as soon as one holds two, so a node never has more
        // than one label here: null stands for the empty set.
        var labels = new string?[graph.Nodes.Length];
        labels[graph.Start] = Main;
        labels[graph.End] = Main;

        // For each node that is the converge gateway of a (conditional) parallel gateway: that gateway's branch labels.
        var ownerBranches = new Dictionary<int, HashSet<string>>();
        foreach (var g in gateways.Values)
        {
            if (g.IsForking && g.ConvergeGatewayId is { } converge && graph.Contains(converge))
            {
                ownerBranches[graph.IndexOf(converge)] = [.. Enumerable.Range(0, g.Outgoing.Count).Select(i => $"{g.Id}_{i}")];
            }
        }

        var queue = new Queue<int>();
        var queued = new bool[graph.Nodes.Length];
        queued[graph.Start] = true;
        queue.Enqueue(graph.Start);
        while (queue.Count > 0)
        {
            var w = queue.Dequeue();
            var gateway = graph.Nodes[w] as GatewayNode is { } g ? gateways.GetValueOrDefault(g.Id, g) : null;
            var own = labels[w];
            var converge = gateway is { IsForking: true, ConvergeGatewayId: { } cg } && graph.Contains(cg) ? graph.IndexOf(cg) : -1;
            if (converge >= 0)
            {
                Add(graph, labels, converge, own);
            }

            var targets = graph.Targets[w];
            for (var i = 0; i < targets.Length; i++)
            {
                var t = targets[i];
                var propagate = converge >= 0 ? $"{graph.Nodes[w].Id}_{i}" : own;
                var skip = ownerBranches.TryGetValue(t, out var branches) && (own is not null && branches.Contains(own) || t == converge);
                if (!skip)
                {
                    Add(graph, labels, t, propagate);
                }

                if (!queued[t])
                {
                    queued[t] = true;
                    queue.Enqueue(t);
                }
            }
        }

        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] is null)
            {
                throw new ConnectionValidateException(graph.Nodes[i].Id, "node is not reachable from the start event");
            }
        }
    }

    /// <summary>Adds a label to a node's set; a second, different label is the stream error.</summary>
    private static void Add(LevelGraph graph, string?[] labels, int node, string? label)
    {
        var current = labels[node];
        if (label is null || current == label)
        {
            return;
        }

        if (current is not null)
        {
            throw new StreamValidateException(graph.Nodes[node].Id);
        }

        labels[node] = label;
    }
}
