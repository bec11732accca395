using System.Text.Json.Nodes;
using Bamboo.Engine.Expressions;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

/// <summary>A node of a run with everything the engine needs to execute it, compiled once from the tree.</summary>
internal sealed record NodeInfo(Node Node, string ParentPipelineId, IReadOnlyList<(string FlowId, string Target)> Targets)
{
    /// <summary>Raw inputs: key → {need_render, value} (data.md §2).</summary>
    public JsonObject RawInputs { get; init; } = [];

    /// <summary>Output key → context keys it feeds (all of them, not only the last declared).</summary>
    public Dictionary<string, List<string>> OutputsMapping { get; init; } = [];

    public string Single => Targets.Count > 0 ? Targets[0].Target : throw new InvalidOperationException($"node {Node.Id} has no outgoing flow");
}

/// <summary>A pipeline level of a run: root or subprocess.</summary>
internal sealed record PipelineInfo(Pipeline Pipeline, IReadOnlyList<string> ExportedKeys, IReadOnlyList<ContextValue> InitialContext)
{
    /// <summary>The ids of the nodes directly in this pipeline.</summary>
    public IReadOnlyCollection<string> NodeIds { get; } = Pipeline.Nodes.Select(n => n.Id).ToList();
}

/// <summary>The flattened, immutable form of a validated tree, shared by every step of its run.</summary>
internal sealed class CompiledPipeline
{
    public const int MaxContextKeyLength = 128;

    private CompiledPipeline(string rootId, JsonObject rootData)
    {
        RootId = rootId;
        RootData = rootData;
    }

    public string RootId { get; }

    /// <summary>The run's root_pipeline_data; callers get copies because services may change what they are given.</summary>
    public JsonObject RootData { get; }

    public JsonObject RootDataCopy() => (JsonObject)RootData.DeepClone();

    public Dictionary<string, NodeInfo> Nodes { get; } = [];

    public Dictionary<string, PipelineInfo> Pipelines { get; } = [];

    public NodeInfo Node(string id) => Nodes.TryGetValue(id, out var n) ? n : throw new Exceptions.NotFoundError($"node({id}) does not exist");

    private Dictionary<string, int>? _flowOrder;

    /// <summary>
    /// Each node's place in a depth-first walk of the flows from the root's start event, entering a subprocess
    /// before its successors. Lists of states use it so that nodes started in the same millisecond show in the order
    /// they run rather than by id. Nodes no flow reaches come last.
    /// </summary>
    public int FlowOrder(string nodeId) =>
        LazyInitializer.EnsureInitialized(ref _flowOrder, ComputeFlowOrder).TryGetValue(nodeId, out var i) ? i : int.MaxValue;

    private Dictionary<string, int> ComputeFlowOrder()
    {
        var order = new Dictionary<string, int> { [RootId] = 0 };
        var pending = new Stack<string>();
        pending.Push(Pipelines[RootId].Pipeline.StartEvent.Id);
        while (pending.TryPop(out var id))
        {
            if (!order.TryAdd(id, order.Count) || !Nodes.TryGetValue(id, out var info))
            {
                continue;
            }

            // Pushed in reverse, so the first flow is walked first and a subprocess's own nodes before its successors.
            for (var t = info.Targets.Count - 1; t >= 0; t--)
            {
                pending.Push(info.Targets[t].Target);
            }

            if (info.Node is Model.SubProcessNode sub)
            {
                pending.Push(sub.Pipeline.StartEvent.Id);
            }
        }

        return order;
    }

    public static CompiledPipeline Compile(Pipeline root, JsonObject rootData, IReadOnlyDictionary<string, JsonNode?>? subprocessContext = null, IReadOnlyDictionary<string, JsonNode?>? rootContext = null)
    {
        var compiled = new CompiledPipeline(root.Id, (JsonObject)rootData.DeepClone());
        compiled.AddLevel(root, null, subprocessContext ?? new Dictionary<string, JsonNode?>(), rootContext ?? new Dictionary<string, JsonNode?>());
        return compiled;
    }

    private void AddLevel(Pipeline p, string? parent, IReadOnlyDictionary<string, JsonNode?> subprocessContext, IReadOnlyDictionary<string, JsonNode?> rootContext)
    {
        var outputsByNode = new Dictionary<string, Dictionary<string, List<string>>>();
        var values = new List<(ContextValue Value, bool Referencing)>();
        foreach (var (key, v) in p.Data.Inputs)
        {
            if (v.IsNodeOutput)
            {
                foreach (var (act, sourceKey) in v.Sources)
                {
                    var map = outputsByNode.TryGetValue(act, out var m) ? m : outputsByNode[act] = [];
                    (map.TryGetValue(sourceKey, out var keys) ? keys : map[sourceKey] = []).Add(key);
                }

                if (v.NeedInitialization)
                {
                    values.Add((new ContextValue(key, TypeOf(v), v.Value?.DeepClone(), v.CustomType ?? "", []), false));
                }

                continue;
            }

            values.Add((new ContextValue(key, TypeOf(v), v.Value?.DeepClone(), v.Type == Var.Lazy ? v.CustomType ?? "" : "", []), true));
        }

        foreach (var node in p.Nodes)
        {
            var targets = node.Outgoing.Select(f => (f, p.Flows[f].Target)).ToList();
            var info = new NodeInfo(node, p.Id, targets)
            {
                OutputsMapping = outputsByNode.GetValueOrDefault(node.Id) ?? [],
            };
            switch (node)
            {
                case ServiceActivityNode a:
                    info = info with { RawInputs = RawInputs(a.Id, a.Inputs, values) };
                    break;
                case SubProcessNode s:
                    info = info with { RawInputs = RawInputs(s.Id, s.Params, values) };
                    break;
            }

            Nodes[node.Id] = info;
        }

        if (parent is null)
        {
            foreach (var (k, v) in rootContext)
            {
                values.Add((new ContextValue(k, ContextValueType.Plain, v?.DeepClone(), "", []), false));
            }
        }
        else
        {
            foreach (var (k, v) in subprocessContext)
            {
                values.Add((new ContextValue(k, ContextValueType.Plain, v?.DeepClone(), "", []), false));
            }
        }

        Pipelines[p.Id] = new PipelineInfo(p, p.Data.Outputs, WithReferences(values));
        foreach (var s in p.Activities.Values.OfType<SubProcessNode>())
        {
            AddLevel(s.Pipeline, p.Id, subprocessContext, rootContext);
        }
    }

    private static ContextValueType TypeOf(Var v) => v.Type switch
    {
        Var.Splice => ContextValueType.Splice,
        Var.Lazy => ContextValueType.Compute,
        _ => ContextValueType.Plain,
    };

    private static JsonObject RawInputs(string nodeId, IReadOnlyDictionary<string, Var> inputs, List<(ContextValue, bool)> values)
    {
        var raw = new JsonObject();
        foreach (var (k, v) in inputs)
        {
            bool needRender;
            JsonNode? value;
            if (v.Type == Var.Lazy)
            {
                var name = k.StartsWith("${", StringComparison.Ordinal) && k.EndsWith('}') ? k[2..^1] : k;
                var key = "${" + name + "_" + nodeId + "}";
                if (key.Length > MaxContextKeyLength)
                {
                    throw new Exceptions.PipelineFormatException($"node {nodeId}.inputs.{k}", $"the lazy variable key {key} is longer than {MaxContextKeyLength} characters");
                }

                values.Add((new ContextValue(key, ContextValueType.Compute, v.Value?.DeepClone(), v.CustomType ?? "", []), true));
                needRender = true;
                value = JsonValue.Create(key);
            }
            else
            {
                needRender = v.Type == Var.Splice;
                value = v.Value?.DeepClone();
            }

            if (v.NeedRender == false)
            {
                needRender = false;
            }

            raw[k] = new JsonObject { ["need_render"] = needRender, ["value"] = value };
        }

        return raw;
    }

    /// <summary>Stores each value's transitive references over the variables of its level (data.md §2.6).</summary>
    private static List<ContextValue> WithReferences(List<(ContextValue Value, bool Referencing)> values)
    {
        var direct = values.Where(v => v.Referencing).ToDictionary(v => v.Value.Key, v => Template.References(v.Value.Value));
        var result = new List<ContextValue>();
        foreach (var (value, referencing) in values)
        {
            if (!referencing)
            {
                result.Add(value);
                continue;
            }

            var closure = new List<string>();
            var seen = new HashSet<string>();
            var queue = new Queue<string>(direct[value.Key]);
            while (queue.Count > 0)
            {
                var r = queue.Dequeue();
                if (!seen.Add(r))
                {
                    continue;
                }

                closure.Add(r);
                if (direct.TryGetValue(r, out var more))
                {
                    foreach (var m in more)
                    {
                        queue.Enqueue(m);
                    }
                }
            }

            result.Add(value with { References = closure });
        }

        return result;
    }
}
