using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Validation;

/// <summary>
/// Checks a tree before a run (validation.md) and returns it with every converge_gateway_id filled in and every
/// subprocess pipeline's id set to its SubProcess node's id. Executable end events must have one of
/// <paramref name="executableEndEventTypes"/>; null accepts any (a stored run, checked when it started, loaded by a
/// worker that may not have them all).
/// </summary>
public sealed class PipelineValidator(IReadOnlyCollection<string>? executableEndEventTypes)
{
    public PipelineValidator()
        : this([])
    {
    }

    /// <summary>Validates every level (subprocesses first); throws a <see cref="TreeInvalidException"/> naming the node.</summary>
    public Pipeline Validate(Pipeline pipeline, bool cycleTolerate = false)
    {
        ArgumentNullException.ThrowIfNull(pipeline);

        CheckId(pipeline.Id, "the pipeline's id");

        // The root's id is a state id too (the run's), so no node may take it.
        var ids = new HashSet<string> { pipeline.Id };
        CheckIds(pipeline, ids, 0);
        return ValidateLevel(pipeline, cycleTolerate);
    }

    /// <summary>
    /// Node and flow ids are unique across the whole tree (states, data and histories are keyed by node id alone), a
    /// SubProcess node's included: two subprocesses with one id would share one context. The text the store keeps in
    /// columns (ids, component codes and versions, data keys) is storable everywhere (<see cref="StoredText"/>). Also
    /// stops a tree made in code from nesting subprocesses deeper than the loader allows, before anything recurses
    /// that deep.
    /// </summary>
    private static void CheckIds(Pipeline p, HashSet<string> ids, int depth)
    {
        foreach (var n in p.Nodes)
        {
            CheckId(n.Id, "the node's id");
            if (n is ServiceActivityNode a && !(StoredText.IsStorable(a.ComponentCode) && StoredText.IsStorable(a.ComponentVersion)))
            {
                throw new ConnectionValidateException(a.Id, StoredText.Problem("component.code or component.version"));
            }

            if (!ids.Add(n.Id))
            {
                throw new ConnectionValidateException(n.Id, "node id is used more than once in the tree (or is the root pipeline's id)");
            }

            if (n is SubProcessNode s)
            {
                if (depth >= PipelineLimits.MaxSubprocessDepth)
                {
                    throw new ConnectionValidateException(s.Id, $"subprocesses are nested more than {PipelineLimits.MaxSubprocessDepth} levels deep (PipelineLimits.MaxSubprocessDepth)");
                }

                CheckIds(s.Pipeline, ids, depth + 1);
            }
        }

        foreach (var f in p.Flows.Keys)
        {
            if (!StoredText.IsStorable(f))
            {
                throw new ConnectionValidateException(Printable(f), StoredText.Problem("the flow's id"));
            }

            if (!ids.Add(f))
            {
                throw new ConnectionValidateException(f, "flow id is used more than once in the tree");
            }
        }

        if (p.Data.Inputs.Keys.FirstOrDefault(k => !StoredText.IsStorable(k)) is { } key)
        {
            throw new ConnectionValidateException(Printable(p.Id), StoredText.Problem($"data.inputs key {Printable(key)}"));
        }
    }

    /// <summary>A pipeline or node id: storable everywhere, and one segment of the HTTP API's paths.</summary>
    private static void CheckId(string id, string what)
    {
        if (!StoredText.IsStorable(id))
        {
            throw new ConnectionValidateException(Printable(id), StoredText.Problem(what));
        }

        if (AddressProblem(id, what) is { } problem)
        {
            throw new ConnectionValidateException(id, problem);
        }
    }

    /// <summary>
    /// Pipeline and node ids are path segments of the HTTP API (/api/nodes/{id}): one with '/' could be started but
    /// never reached again there, and "." or ".." are steps of the path itself.
    /// </summary>
    private static string? AddressProblem(string id, string what) =>
        id.Contains('/', StringComparison.Ordinal) ? $"{what} contains '/', which cannot be part of one segment of a URL path (the HTTP API addresses runs and nodes by id)"
        : id is "." or ".." ? $"{what} is '{id}', a step of a URL path rather than a name (the HTTP API addresses runs and nodes by id)"
        : null;

    /// <summary>An id for a message, its NUL characters shown as \0 so the message stays one readable line.</summary>
    internal static string Printable(string id) => id.Replace("\0", "\\0", StringComparison.Ordinal);

    private Pipeline ValidateLevel(Pipeline pipeline, bool cycleTolerate)
    {
        // A subprocess pipeline takes its SubProcess node's id. bamboo accepts an embedded pipeline whose own id differs,
        // but then stores the subprocess's variables under that id while running it under the node id, so the
        // subprocess cannot see its own variables. The engine keys a subprocess's context, state and stack entry by the
        // node id, so rewriting the id here makes such a tree run as intended; the embedded id is not used anywhere.
        if (pipeline.Activities.Values.Any(a => a is SubProcessNode))
        {
            var activities = pipeline.Activities.ToDictionary(
                kv => kv.Key,
                kv => kv.Value is SubProcessNode s ? s with { Pipeline = ValidateLevel(s.Pipeline with { Id = s.Id }, cycleTolerate) } : kv.Value);
            pipeline = pipeline with { Activities = activities };
        }

        var graph = new LevelGraph(pipeline);
        ConnectionRules.Check(graph, executableEndEventTypes);
        if (!cycleTolerate)
        {
            CheckAcyclic(graph);
        }

        var matches = ConvergeMatcher.Match(graph);
        var gateways = pipeline.Gateways.ToDictionary(
            kv => kv.Key,
            kv => matches.TryGetValue(kv.Key, out var cg) ? kv.Value with { ConvergeGatewayId = cg } : kv.Value);
        StreamValidator.Check(graph, gateways);
        return pipeline with { Gateways = gateways };
    }

    private static void CheckAcyclic(LevelGraph graph)
    {
        // Iterative depth-first search (0 = not seen, 1 = on the current path, 2 = done): deep trees must not overflow the stack.
        var state = new byte[graph.Nodes.Length];
        var stack = new Stack<(int Node, int Next)>();
        for (var root = 0; root < state.Length; root++)
        {
            if (state[root] != 0)
            {
                continue;
            }

            state[root] = 1;
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (node, next) = stack.Pop();
                var targets = graph.Targets[node];
                if (next < targets.Length)
                {
                    stack.Push((node, next + 1));
                    var t = targets[next];
                    if (state[t] == 1)
                    {
                        throw new TreeInvalidException($"pipeline graph has circle (through node {graph.Nodes[t].Id} in pipeline {graph.Pipeline.Id}); pass cycle_tolerate to allow loops");
                    }

                    if (state[t] == 0)
                    {
                        state[t] = 1;
                        stack.Push((t, 0));
                    }
                }
                else
                {
                    state[node] = 2;
                }
            }
        }
    }

    /// <summary>Checks that a start_node_id is on the main line (validation.md §6).</summary>
    public static void ValidateStartNode(Pipeline pipeline, string startNodeId)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        if (startNodeId == pipeline.StartEvent.Id)
        {
            return;
        }

        if (!AllowedStartNodeIds(pipeline).Contains(startNodeId))
        {
            throw new StartPositionInvalidException(startNodeId);
        }
    }

    /// <summary>Nodes a run may start at: the main line, not inside parallel blocks or subprocesses.</summary>
    public static IReadOnlySet<string> AllowedStartNodeIds(Pipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var graph = new LevelGraph(pipeline);
        var allowed = new HashSet<string>();
        var visited = new bool[graph.Nodes.Length];
        var queue = new Queue<int>();
        queue.Enqueue(graph.Start);
        while (queue.Count > 0)
        {
            var i = queue.Dequeue();
            if (visited[i])
            {
                continue;
            }

            visited[i] = true;
            var node = graph.Nodes[i];
            if (node.Kind is NodeKind.EmptyStartEvent or NodeKind.ServiceActivity or NodeKind.ExclusiveGateway
                or NodeKind.ParallelGateway or NodeKind.ConditionalParallelGateway)
            {
                allowed.Add(node.Id);
            }

            if (node is GatewayNode { IsForking: true } g)
            {
                if (g.ConvergeGatewayId is not null && graph.Contains(g.ConvergeGatewayId))
                {
                    queue.Enqueue(graph.IndexOf(g.ConvergeGatewayId));
                }
            }
            else if (!node.IsEndEvent)
            {
                foreach (var t in graph.Targets[i])
                {
                    queue.Enqueue(t);
                }
            }
        }

        return allowed;
    }
}
