using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Bamboo.Engine.Model;

/// <summary>
/// A copy of a tree under new ids, so it can run again in a store where its ids are taken (as SOPS does for every run):
/// every pipeline, node and flow id is replaced wherever it appears, as a key, as a value (incoming, outgoing,
/// converge_gateway_id, source_act, ...) and as the node-id suffix of a context key (<c>${input_node}</c>); names of
/// pipelines, nodes and flows stay as they are.
/// </summary>
public static partial class FreshIds
{
    [GeneratedRegex(@"\$\{([^{}]*)\}")]
    private static partial Regex ContextKey();

    /// <summary>
    /// The tree with each id given a new one by <paramref name="newId"/>. By default every id gets the same '_' and six
    /// random hex digits, so whoever knows the tree and the suffix knows each node's new id.
    /// </summary>
    public static Pipeline Copy(Pipeline pipeline, Func<string, string>? newId = null) => Copy(pipeline, out _, newId);

    /// <summary>
    /// As <see cref="Copy(Pipeline, Func{string, string}?)"/>; <paramref name="renamed"/> gives the new id of each id of
    /// the tree (another text as it is), e.g. for a start node named before the copy.
    /// </summary>
    public static Pipeline Copy(Pipeline pipeline, out Func<string, string> renamed, Func<string, string>? newId = null)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        var suffix = "_" + Guid.NewGuid().ToString("N")[..6];
        newId ??= id => id + suffix;
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        Collect(pipeline, ids, newId);
        renamed = id => ids.GetValueOrDefault(id, id);
        var tree = pipeline.ToJson();
        return Pipeline.Parse(Rewrite(tree, ids)!.ToJsonString());
    }

    private static void Collect(Pipeline p, Dictionary<string, string> ids, Func<string, string> newId)
    {
        ids.TryAdd(p.Id, newId(p.Id));
        foreach (var node in p.Nodes)
        {
            ids.TryAdd(node.Id, newId(node.Id));
            if (node is SubProcessNode sub)
            {
                Collect(sub.Pipeline, ids, newId);
            }
        }

        foreach (var flow in p.Flows.Keys)
        {
            ids.TryAdd(flow, newId(flow));
        }
    }

    private static JsonNode? Rewrite(JsonNode? node, Dictionary<string, string> ids) => node switch
    {
        JsonObject o => RewriteObject(o, ids),
        JsonArray a => new JsonArray([.. a.Select(x => Rewrite(x, ids))]),
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(RewriteString(s, ids)),
        _ => node?.DeepClone(),
    };

    private static JsonObject RewriteObject(JsonObject o, Dictionary<string, string> ids)
    {
        // The name of a pipeline, node or flow (an object with an id) is what people read, never an id: a tree whose
        // name equals its id keeps it, so the run is listed under the name it had.
        var named = o.ContainsKey("id");
        var copy = new JsonObject();
        foreach (var (key, value) in o)
        {
            copy[RewriteString(key, ids)] = named && key == "name" && value is JsonValue ? value.DeepClone() : Rewrite(value, ids);
        }

        return copy;
    }

    private static string RewriteString(string s, Dictionary<string, string> ids)
    {
        if (ids.TryGetValue(s, out var exact))
        {
            return exact;
        }

        // A context key made from a node id: ${name_nodeid}.
        return s.Contains("${", StringComparison.Ordinal)
            ? ContextKey().Replace(s, m =>
            {
                var inner = m.Groups[1].Value;
                foreach (var (old, fresh) in ids)
                {
                    if (inner.EndsWith("_" + old, StringComparison.Ordinal))
                    {
                        return "${" + inner[..^old.Length] + fresh + "}";
                    }
                }

                return m.Value;
            })
            : s;
    }
}
