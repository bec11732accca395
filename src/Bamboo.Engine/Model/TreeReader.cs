using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bamboo.Engine.Model;

/// <summary>
/// Reads one pipeline tree from its JSON document into the model, checking <see cref="PipelineLimits"/> as it goes.
/// Large trees shaped how it works: every JSON node the model keeps (node sources, variable values) is a lazy view of
/// the document, because a mutable <see cref="JsonNode"/> copy of a 200,000-node tree cost several times its text;
/// the path of the value being read is a stack of segments, made into text only for an error; and strings are pooled,
/// so an id met as a key, an id, a flow end and a flow reference is one string.
/// </summary>
internal sealed partial class TreeReader
{
    private const int PooledLength = 256;

    private readonly List<string> _path = ["$"];
    private readonly Dictionary<string, string> _strings = [];
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _stringsBySpan;
    private int _nodes;
    private int _flows;

    public TreeReader() => _stringsBySpan = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    public Pipeline Read(JsonElement root) => ReadPipeline(root, 0);

    private Pipeline ReadPipeline(JsonElement value, int depth)
    {
        var obj = Object(value);
        var p = default(Fields);
        Scan(obj, PipelineFields, p);
        var id = Id(p[PipelineId], "id");
        var start = In("start_event", () => ReadNode(Object(p[PipelineStartEvent]), depth, endEvent: false)) as StartEventNode
            ?? throw Error("start_event.type", "must be \"EmptyStartEvent\"");
        var end = In("end_event", () => ReadNode(Object(p[PipelineEndEvent]), depth, endEvent: true)) as EndEventNode
            ?? throw Error("end_event.type", "must be an end event type");

        var activities = new Dictionary<string, Node>(Count(p[PipelineActivities]));
        foreach (var (key, member) in Members(p[PipelineActivities], "activities"))
        {
            var n = ReadNode(Object(member), depth, endEvent: false);
            if (!n.IsActivity)
            {
                throw Error("type", $"\"{n.Type}\" is not an activity type (ServiceActivity or SubProcess)");
            }

            CheckKey(key, n.Id);
            Add(activities, key, n);
            Pop(2);
        }

        var gateways = new Dictionary<string, GatewayNode>(Count(p[PipelineGateways]));
        foreach (var (key, member) in Members(p[PipelineGateways], "gateways"))
        {
            var n = ReadNode(Object(member), depth, endEvent: false) as GatewayNode ?? throw Error("type", "is not a gateway type");
            CheckKey(key, n.Id);
            Add(gateways, key, n);
            Pop(2);
        }

        var flows = new Dictionary<string, Flow>(Count(p[PipelineFlows]));
        foreach (var (key, member) in Members(p[PipelineFlows], "flows"))
        {
            if (++_flows > PipelineLimits.MaxFlowCount)
            {
                throw Error(null, $"the tree has more than {PipelineLimits.MaxFlowCount} flows (PipelineLimits.MaxFlowCount)");
            }

            var f = default(Fields);
            Scan(Object(member), FlowFields, f);
            var flow = new Flow(Id(f[FlowId], "id"), Id(f[FlowSource], "source"), Id(f[FlowTarget], "target"), f[FlowIsDefault] is { ValueKind: JsonValueKind.True });
            CheckKey(key, flow.Id);
            Add(flows, key, flow);
            Pop(2);
        }

        var data = In("data", () => ReadData(p[PipelineDataField]));
        return new Pipeline(id, start, end, activities, gateways, flows, data) { Source = JsonObject.Create(obj)! };
    }

    /// <summary>
    /// The members of an optional object keyed by id, each with the path pushed to it (the caller pops both segments
    /// when done with the member); keys are checked as ids.
    /// </summary>
    private IEnumerable<(string Key, JsonElement Value)> Members(JsonElement? members, string field)
    {
        if (members is null)
        {
            yield break;
        }

        if (members.Value.ValueKind != JsonValueKind.Object)
        {
            throw Error(field, "must be an object keyed by id");
        }

        foreach (var member in members.Value.EnumerateObject())
        {
            var key = Name(member);
            _path.Add(field);
            _path.Add(Segment(key));
            CheckIdLength(key, null);
            yield return (key, member.Value);
        }
    }

    private void CheckKey(string key, string id)
    {
        if (key != id)
        {
            throw Error("id", $"\"{Segment(id)}\" differs from its key \"{Segment(key)}\"");
        }
    }

    private Node ReadNode(JsonElement o, int depth, bool endEvent)
    {
        if (++_nodes > PipelineLimits.MaxNodeCount)
        {
            throw Error(null, $"the tree has more than {PipelineLimits.MaxNodeCount} nodes (PipelineLimits.MaxNodeCount)");
        }

        var f = default(Fields);
        Scan(o, NodeFields, f);
        var id = Id(f[NodeId], "id");
        var type = RequiredString(f[NodeType], "type");
        var name = f[NodeName] is { ValueKind: JsonValueKind.String } n ? String(n) : null;
        var incoming = FlowRefs(f[NodeIncoming], "incoming");
        var outgoing = FlowRefs(f[NodeOutgoing], "outgoing");
        var source = JsonObject.Create(o);
        switch (type)
        {
            case "EmptyStartEvent":
                return new StartEventNode(id, name, incoming, outgoing) { Source = source };
            case "EmptyEndEvent":
                return new EndEventNode(id, name, type, incoming, outgoing) { Source = source };
            case "ServiceActivity":
                {
                    var errorIgnorable = Bool(f[NodeErrorIgnorable], "error_ignorable", false);
                    var skippable = Bool(f[NodeSkippable], "skippable", true);
                    var retryable = Bool(f[NodeRetryable], "retryable", true);
                    _path.Add("component");
                    var c = default(Fields);
                    Scan(Object(f[NodeComponent]), ComponentFields, c);
                    var code = RequiredString(c[ComponentCode], "code");
                    var version = c[ComponentVersion] is { ValueKind: JsonValueKind.String } v && String(v) is { Length: > 0 } ver ? ver : "legacy";
                    _path.Add("inputs");
                    var inputs = ReadVars(c[ComponentInputs]);
                    Pop(2);
                    return new ServiceActivityNode(id, name, incoming, outgoing, code, version, inputs, errorIgnorable, skippable, retryable)
                    { Source = source, Timeout = Timeout(f[NodeTimeout]) };
                }

            case "SubProcess":
                {
                    if (depth >= PipelineLimits.MaxSubprocessDepth)
                    {
                        throw Error("pipeline", $"subprocesses are nested more than {PipelineLimits.MaxSubprocessDepth} levels deep (PipelineLimits.MaxSubprocessDepth)");
                    }

                    _path.Add("pipeline");
                    var pipeline = ReadPipeline(Object(f[NodePipeline]), depth + 1);
                    Pop(1);
                    _path.Add("params");
                    var parameters = ReadVars(f[NodeParams]);
                    Pop(1);
                    return new SubProcessNode(id, name, incoming, outgoing, parameters, pipeline) { Source = source };
                }

            case "ExclusiveGateway":
            case "ParallelGateway":
            case "ConditionalParallelGateway":
            case "ConvergeGateway":
                return ReadGateway(f, id, name, type, incoming, outgoing) with { Source = source };
            default:
                if (endEvent)
                {
                    return new EndEventNode(id, name, type, incoming, outgoing) { Source = source };
                }

                throw Error("type", $"unknown node type \"{Segment(type)}\"");
        }
    }

    private GatewayNode ReadGateway(Fields f, string id, string? name, string type, List<string> incoming, List<string> outgoing)
    {
        var conditions = new List<FlowCondition>();
        switch (f[NodeConditions])
        {
            case { ValueKind: JsonValueKind.Object } conds:
                _path.Add("conditions");
                foreach (var cond in conds.EnumerateObject())
                {
                    var flowId = Name(cond);
                    _path.Add(Segment(flowId));
                    CheckIdLength(flowId, null);
                    if (conditions.Exists(c => c.FlowId == flowId))
                    {
                        throw Error(null, "is repeated (a key may occur once in an object)");
                    }

                    conditions.Add(new FlowCondition(flowId, RequiredString(Get(Object(cond.Value), "evaluate"), "evaluate")));
                    Pop(1);
                }

                Pop(1);
                break;
            case null:
                break;
            default:
                throw Error("conditions", "must be an object keyed by flow id");
        }

        string? defaultFlow = null;
        if (f[NodeDefaultCondition] is { ValueKind: JsonValueKind.Object } dc && Get(dc, "flow_id") is { ValueKind: JsonValueKind.String } df)
        {
            defaultFlow = CheckIdLength(String(df), "default_condition.flow_id");
        }

        var extra = f[NodeExtraInfo] is { ValueKind: JsonValueKind.Object } ei ? (JsonObject?)NodeOf(ei, "extra_info") : null;
        var converge = f[NodeConvergeGatewayId] is { ValueKind: JsonValueKind.String } cg ? CheckIdLength(String(cg), "converge_gateway_id") : null;
        return new GatewayNode(id, name, type, Enum.Parse<NodeKind>(type), incoming, outgoing, conditions, defaultFlow, extra, converge);
    }

    private PipelineData ReadData(JsonElement? value)
    {
        if (value is null)
        {
            return PipelineData.Empty;
        }

        var d = default(Fields);
        Scan(Object(value), DataFields, d);
        var inputs = In("inputs", () => ReadVars(d[DataInputs]));
        return new PipelineData(inputs, ExportedKeys(d[DataOutputs]), StringList(d[DataPreRenderKeys], "pre_render_keys"));
    }

    /// <summary>
    /// <c>data.outputs</c>: usually a list of context keys, but bamboo's flow-builder guide prints <c>{}</c>, and bamboo
    /// only iterates the field (its runtime stores it as JSON and reads it back with <c>set(...)</c>), so an object
    /// exports its keys, in order, and its values are ignored.
    /// </summary>
    private List<string> ExportedKeys(JsonElement? value) => value switch
    {
        { ValueKind: JsonValueKind.Object } map => map.EnumerateObject().Select(Name).ToList(),
        null or { ValueKind: JsonValueKind.Array } => StringList(value, "outputs"),
        _ => throw Error("outputs", "must be a list of context keys or an object whose keys are the context keys"),
    };

    private Dictionary<string, Var> ReadVars(JsonElement? value)
    {
        var vars = new Dictionary<string, Var>();
        if (value is null)
        {
            return vars;
        }

        foreach (var member in Object(value).EnumerateObject())
        {
            var key = Name(member);
            _path.Add(Segment(key));
            Add(vars, key, ReadVar(member.Value));
            Pop(1);
        }

        return vars;
    }

    private Var ReadVar(JsonElement value)
    {
        var f = default(Fields);
        Scan(Object(value), VarFields, f);
        var type = f[VarType] is { ValueKind: JsonValueKind.String } t ? String(t) : Var.Plain;
        List<(string, string)>? sources = null;
        switch (f[VarSourceAct])
        {
            case { ValueKind: JsonValueKind.String } act:
                // bamboo tests "if not source_act": an empty id means an ordinary variable.
                if (String(act) is { Length: > 0 } actId)
                {
                    sources = [(actId, RequiredString(f[VarSourceKey], "source_key"))];
                }

                break;
            case { ValueKind: JsonValueKind.Array } list:
                sources = [];
                foreach (var entry in list.EnumerateArray())
                {
                    _path.Add($"source_act[{sources.Count}]");
                    var item = Object(entry);
                    sources.Add((RequiredString(Get(item, "source_act"), "source_act"), RequiredString(Get(item, "source_key"), "source_key")));
                    Pop(1);
                }

                break;
            case null:
                break;
            default:
                throw Error("source_act", "must be a node id or a list of {source_act, source_key}");
        }

        var customType = f[VarCustomType];
        if (type == Var.Lazy && customType is not { ValueKind: not (JsonValueKind.Object or JsonValueKind.Array) } && sources is not { Count: > 0 })
        {
            throw Error("custom_type", "a lazy variable needs the code of its variable type");
        }

        return new Var(type, NodeOf(f[VarValue], "value"))
        {
            CustomType = customType is { ValueKind: JsonValueKind.String } ct ? String(ct) : null,
            Sources = sources is { Count: > 0 } ? sources : [],
            NeedInitialization = f[VarNeedInitialization] is { ValueKind: JsonValueKind.True },
            NeedRender = f[VarNeedRender] switch
            {
                { ValueKind: JsonValueKind.True } => true,
                { ValueKind: JsonValueKind.False } => false,
                _ => null,
            },
        };
    }
}
