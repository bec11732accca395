using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Building;

/// <summary>
/// bamboo's build_tree: a breadth-first walk from the start that emits each element once, with one new flow per
/// outgoing edge. Unlike bamboo, every end event (executable ones too) gets a list of incoming flows.
/// </summary>
internal static class TreeWriter
{
    /// <summary>Writes the level that starts at <paramref name="start"/>; <paramref name="depth"/> counts the subprocesses it is in.</summary>
    public static JsonObject Write(EmptyStartEvent start, string id, Data? data, int depth = 0)
    {
        // Subprocess levels are written recursively; a subprocess that (directly or not) embeds itself would recurse forever.
        if (depth > PipelineLimits.MaxSubprocessDepth)
        {
            throw new PipelineFormatException($"subprocess {id}", $"subprocesses are nested more than {PipelineLimits.MaxSubprocessDepth} levels deep (PipelineLimits.MaxSubprocessDepth)");
        }

        var order = new List<Element>();
        var seen = new HashSet<Element>();
        var queue = new Queue<Element>();
        queue.Enqueue(start);
        seen.Add(start);
        while (queue.Count > 0)
        {
            var e = queue.Dequeue();
            order.Add(e);
            foreach (var next in e.Outgoing.Where(seen.Add))
            {
                queue.Enqueue(next);
            }
        }

        var flowsOf = order.ToDictionary(e => e, e => e.Outgoing.Select(_ => Ids.New('f')).ToList());
        var incoming = order.ToDictionary(e => e, _ => new List<string>());
        var flows = new JsonObject();
        foreach (var e in order)
        {
            for (var i = 0; i < e.Outgoing.Count; i++)
            {
                var flowId = flowsOf[e][i];
                incoming[e.Outgoing[i]].Add(flowId);
                flows[flowId] = new JsonObject { ["is_default"] = false, ["source"] = e.Id, ["target"] = e.Outgoing[i].Id, ["id"] = flowId };
            }
        }

        var tree = new JsonObject { ["id"] = id };
        var activities = new JsonObject();
        var gateways = new JsonObject();
        JsonObject? end = null;
        foreach (var e in order)
        {
            var json = e is SubProcess sub ? sub.ToJson(incoming[e], flowsOf[e], depth + 1) : e.ToJson(incoming[e], flowsOf[e]);
            switch (e)
            {
                case EmptyStartEvent:
                    tree["start_event"] = json;
                    break;
                case EmptyEndEvent:
                    end = json;
                    break;
                case ServiceActivity or SubProcess:
                    activities[e.Id] = json;
                    break;
                default:
                    gateways[e.Id] = json;
                    break;
            }
        }

        tree["end_event"] = end;
        tree["activities"] = activities;
        tree["gateways"] = gateways;
        tree["flows"] = flows;
        tree["data"] = data?.ToJson() ?? new JsonObject { ["inputs"] = new JsonObject(), ["outputs"] = new JsonArray() };
        return tree;
    }
}
