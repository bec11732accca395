using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Validation;

/// <summary>Rejects nodes reachable both from inside a parallel branch and from elsewhere (validation.md §5).</summary>
internal static class StreamValidator
{
    private const string Main = "main";

    public static void Check(LevelGraph graph)
    {
        var p = graph.Pipeline;
        var labels = graph.Nodes.Keys.ToDictionary(id => id, _ => new HashSet<string>());
        labels[p.StartEvent.Id].Add(Main);
        labels[p.EndEvent.Id].Add(Main);

        var branchLabels = new Dictionary<string, HashSet<string>>();
        var convergeOwner = new Dictionary<string, GatewayNode>();
        foreach (var g in p.Gateways.Values.Where(g => g.IsForking && g.ConvergeGatewayId is not null))
        {
            branchLabels[g.Id] = Enumerable.Range(0, graph.Targets[g.Id].Count).Select(i => $"{g.Id}_{i}").ToHashSet();
            convergeOwner[g.ConvergeGatewayId!] = g;
        }

        var queue = new Queue<string>();
        var queued = new HashSet<string> { p.StartEvent.Id };
        queue.Enqueue(p.StartEvent.Id);
        while (queue.Count > 0)
        {
            var w = queue.Dequeue();
            var node = graph.Nodes[w];
            if (node is GatewayNode { IsForking: true } pg && pg.ConvergeGatewayId is not null)
            {
                var cgLabels = labels[pg.ConvergeGatewayId];
                cgLabels.UnionWith(labels[w]);
                if (cgLabels.Count > 1)
                {
                    throw new StreamValidateException(pg.ConvergeGatewayId);
                }
            }

            var targets = graph.Targets[w];
            for (var i = 0; i < targets.Count; i++)
            {
                var t = targets[i];
                var propagate = node.IsForking && branchLabels.ContainsKey(w) ? new HashSet<string> { $"{w}_{i}" } : labels[w];
                var skip = false;
                if (convergeOwner.TryGetValue(t, out var owner))
                {
                    var ownBranches = branchLabels[owner.Id];
                    skip = labels[w].Count > 0 && labels[w].All(ownBranches.Contains)
                        || node is GatewayNode { IsForking: true } wg && wg.ConvergeGatewayId == t;
                }

                if (!skip)
                {
                    labels[t].UnionWith(propagate);
                }

                if (labels[t].Count > 1)
                {
                    throw new StreamValidateException(t);
                }

                if (queued.Add(t))
                {
                    queue.Enqueue(t);
                }
            }
        }

        foreach (var (id, set) in labels)
        {
            if (set.Count != 1)
            {
                throw set.Count == 0
                    ? new ConnectionValidateException(id, "node is not reachable from the start event")
                    : new StreamValidateException(id);
            }
        }
    }
}
