using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Validation;

/// <summary>Degree limits and allowed targets per node kind (validation.md §2); degrees are checked for every node.</summary>
internal static class ConnectionRules
{
    private const int Max = 1000;

    public static void Check(LevelGraph graph, IReadOnlyCollection<string>? endEventTypes)
    {
        // Start, end, activities, gateways: the order bamboo checks them in, which decides the node an error names.
        for (var i = 0; i < graph.Nodes.Length; i++)
        {
            var node = graph.Nodes[i];
            var (minIn, maxIn, minOut, maxOut) = node.Kind switch
            {
                NodeKind.EmptyStartEvent => (0, 0, 1, 1),
                NodeKind.EmptyEndEvent or NodeKind.ExecutableEndEvent => (1, Max, 0, 0),
                NodeKind.ServiceActivity or NodeKind.SubProcess or NodeKind.ConvergeGateway => (1, Max, 1, 1),
                _ => (1, Max, 1, Max),
            };
            if (node.Kind == NodeKind.ExecutableEndEvent && endEventTypes is not null && !endEventTypes.Contains(node.Type))
            {
                throw new ConnectionValidateException(node.Id, $"end event type \"{node.Type}\" is not EmptyEndEvent nor a registered executable end event");
            }

            var inDegree = graph.Sources[i].Length;
            var outDegree = graph.Targets[i].Length;
            if (inDegree < minIn || inDegree > maxIn)
            {
                throw new ConnectionValidateException(node.Id, $"{node.Type} in-degree is {inDegree}, must be between {minIn} and {maxIn}");
            }

            if (outDegree < minOut || outDegree > maxOut)
            {
                throw new ConnectionValidateException(node.Id, $"{node.Type} out-degree is {outDegree}, must be between {minOut} and {maxOut}");
            }

            foreach (var t in graph.Targets[i])
            {
                var target = graph.Nodes[t];
                var allowed = target.Kind != NodeKind.EmptyStartEvent && !(node.Kind == NodeKind.EmptyStartEvent && target.IsEndEvent);
                if (!allowed)
                {
                    throw new ConnectionValidateException(node.Id, $"{node.Type} cannot connect to {target.Type} node {target.Id}");
                }
            }
        }
    }
}
