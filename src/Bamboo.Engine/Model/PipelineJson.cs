using System.Text.Json;
using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Model;

/// <summary>Reads and writes the pipeline tree JSON of pipeline-tree.md, naming the field on every error.</summary>
internal static class PipelineJson
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static Pipeline Parse(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new PipelineFormatException("$", $"not valid JSON ({ex.Message})");
        }

        return Read(root, "$");
    }

    public static Pipeline Read(JsonNode? node, string path)
    {
        var obj = AsObject(node, path);
        var id = RequiredString(obj, "id", path);
        var start = ReadNode(AsObject(obj["start_event"], $"{path}.start_event"), $"{path}.start_event") as StartEventNode
            ?? throw new PipelineFormatException($"{path}.start_event.type", "must be \"EmptyStartEvent\"");
        var end = ReadNode(AsObject(obj["end_event"], $"{path}.end_event"), $"{path}.end_event", endEvent: true) as EndEventNode
            ?? throw new PipelineFormatException($"{path}.end_event.type", "must be an end event type");

        var activities = new Dictionary<string, Node>();
        foreach (var (key, value) in OptionalObject(obj, "activities", path))
        {
            var p = $"{path}.activities.{key}";
            var n = ReadNode(AsObject(value, p), p);
            if (!n.IsActivity)
            {
                throw new PipelineFormatException($"{p}.type", $"\"{n.Type}\" is not an activity type (ServiceActivity or SubProcess)");
            }

            CheckKey(key, n.Id, p);
            activities[key] = n;
        }

        var gateways = new Dictionary<string, GatewayNode>();
        foreach (var (key, value) in OptionalObject(obj, "gateways", path))
        {
            var p = $"{path}.gateways.{key}";
            var n = ReadNode(AsObject(value, p), p) as GatewayNode
                ?? throw new PipelineFormatException($"{p}.type", "is not a gateway type");
            CheckKey(key, n.Id, p);
            gateways[key] = n;
        }

        var flows = new Dictionary<string, Flow>();
        foreach (var (key, value) in OptionalObject(obj, "flows", path))
        {
            var p = $"{path}.flows.{key}";
            var f = AsObject(value, p);
            var flow = new Flow(RequiredString(f, "id", p), RequiredString(f, "source", p), RequiredString(f, "target", p),
                f["is_default"] is JsonValue v && v.TryGetValue<bool>(out var b) && b)
            { SourceJson = f };
            CheckKey(key, flow.Id, p);
            flows[key] = flow;
        }

        var data = ReadData(obj["data"], $"{path}.data");
        return new Pipeline(id, start, end, activities, gateways, flows, data) { Source = obj };
    }

    private static void CheckKey(string key, string id, string path)
    {
        if (key != id)
        {
            throw new PipelineFormatException($"{path}.id", $"\"{id}\" differs from its key \"{key}\"");
        }
    }

    private static Node ReadNode(JsonObject o, string path, bool endEvent = false)
    {
        var id = RequiredString(o, "id", path);
        var type = RequiredString(o, "type", path);
        var name = o["name"] is JsonValue nv && nv.TryGetValue<string>(out var s) ? s : null;
        var incoming = FlowRefs(o["incoming"], $"{path}.incoming");
        var outgoing = FlowRefs(o["outgoing"], $"{path}.outgoing");
        switch (type)
        {
            case "EmptyStartEvent":
                return new StartEventNode(id, name, incoming, outgoing) { Source = o };
            case "EmptyEndEvent":
                return new EndEventNode(id, name, type, incoming, outgoing) { Source = o };
            case "ServiceActivity":
                {
                    var c = AsObject(o["component"], $"{path}.component");
                    var code = RequiredString(c, "code", $"{path}.component");
                    var version = c["version"] is JsonValue vv && vv.TryGetValue<string>(out var ver) && ver.Length > 0 ? ver : "legacy";
                    var inputs = ReadVars(c["inputs"], $"{path}.component.inputs");
                    return new ServiceActivityNode(id, name, incoming, outgoing, code, version, inputs,
                        Bool(o, "error_ignorable", false, path), Bool(o, "skippable", true, path), Bool(o, "retryable", true, path))
                    { Source = o };
                }

            case "SubProcess":
                {
                    var pipeline = Read(o["pipeline"], $"{path}.pipeline");
                    var parameters = ReadVars(o["params"], $"{path}.params");
                    return new SubProcessNode(id, name, incoming, outgoing, parameters, pipeline) { Source = o };
                }

            case "ExclusiveGateway":
            case "ParallelGateway":
            case "ConditionalParallelGateway":
            case "ConvergeGateway":
                {
                    var kind = Enum.Parse<NodeKind>(type);
                    var conditions = new List<FlowCondition>();
                    if (o["conditions"] is JsonObject conds)
                    {
                        foreach (var (flowId, cond) in conds)
                        {
                            var cp = $"{path}.conditions.{flowId}";
                            conditions.Add(new FlowCondition(flowId, RequiredString(AsObject(cond, cp), "evaluate", cp)));
                        }
                    }
                    else if (o["conditions"] is not null)
                    {
                        throw new PipelineFormatException($"{path}.conditions", "must be an object keyed by flow id");
                    }

                    string? defaultFlow = null;
                    if (o["default_condition"] is JsonObject dc && dc["flow_id"] is JsonValue df && df.TryGetValue<string>(out var dfs))
                    {
                        defaultFlow = dfs;
                    }

                    var extra = o["extra_info"] as JsonObject;
                    var converge = o["converge_gateway_id"] is JsonValue cv && cv.TryGetValue<string>(out var cg) ? cg : null;
                    return new GatewayNode(id, name, type, kind, incoming, outgoing, conditions, defaultFlow, extra, converge) { Source = o };
                }

            default:
                if (endEvent)
                {
                    return new EndEventNode(id, name, type, incoming, outgoing) { Source = o };
                }

                throw new PipelineFormatException($"{path}.type", $"unknown node type \"{type}\"");
        }
    }

    private static PipelineData ReadData(JsonNode? node, string path)
    {
        if (node is null)
        {
            return PipelineData.Empty;
        }

        var o = AsObject(node, path);
        var inputs = ReadVars(o["inputs"], $"{path}.inputs");
        return new PipelineData(inputs, ExportedKeys(o["outputs"], $"{path}.outputs"), StringList(o["pre_render_keys"], $"{path}.pre_render_keys"));
    }

    /// <summary>
    /// <c>data.outputs</c>: usually a list of context keys, but bamboo's flow-builder guide prints <c>{}</c>, and bamboo
    /// only iterates the field (its runtime stores it as JSON and reads it back with <c>set(...)</c>), so an object
    /// exports its keys, in order, and its values are ignored.
    /// </summary>
    private static List<string> ExportedKeys(JsonNode? node, string path) => node switch
    {
        JsonObject map => map.Select(kv => kv.Key).ToList(),
        null or JsonArray => StringList(node, path),
        _ => throw new PipelineFormatException(path, "must be a list of context keys or an object whose keys are the context keys"),
    };

    private static Dictionary<string, Var> ReadVars(JsonNode? node, string path)
    {
        var vars = new Dictionary<string, Var>();
        if (node is null)
        {
            return vars;
        }

        foreach (var (key, value) in AsObject(node, path))
        {
            vars[key] = ReadVar(value, $"{path}.{key}");
        }

        return vars;
    }

    public static Var ReadVar(JsonNode? node, string path)
    {
        var o = AsObject(node, path);
        var type = o["type"] is JsonValue tv && tv.TryGetValue<string>(out var t) ? t : Var.Plain;
        var sources = new List<(string, string)>();
        switch (o["source_act"])
        {
            case JsonValue sv when sv.TryGetValue<string>(out var act):
                sources.Add((act, RequiredString(o, "source_key", path)));
                break;
            case JsonArray list:
                for (var i = 0; i < list.Count; i++)
                {
                    var ip = $"{path}.source_act[{i}]";
                    var item = AsObject(list[i], ip);
                    sources.Add((RequiredString(item, "source_act", ip), RequiredString(item, "source_key", ip)));
                }

                break;
            case null:
                break;
            default:
                throw new PipelineFormatException($"{path}.source_act", "must be a node id or a list of {source_act, source_key}");
        }

        if (type == Var.Lazy && o["custom_type"] is not JsonValue && sources.Count == 0)
        {
            throw new PipelineFormatException($"{path}.custom_type", "a lazy variable needs the code of its variable type");
        }

        return new Var(type, o["value"]?.DeepClone())
        {
            CustomType = o["custom_type"] is JsonValue ct && ct.TryGetValue<string>(out var cts) ? cts : null,
            Sources = sources,
            NeedInitialization = o["need_initialization"] is JsonValue ni && ni.TryGetValue<bool>(out var nib) && nib,
            NeedRender = o["need_render"] is JsonValue nr && nr.TryGetValue<bool>(out var nrb) ? nrb : null,
            Source = o,
        };
    }

    private static List<string> FlowRefs(JsonNode? node, string path) => node switch
    {
        null => [],
        JsonValue v when v.TryGetValue<string>(out var s) => s.Length == 0 ? [] : [s],
        JsonArray a => StringList(a, path),
        _ => throw new PipelineFormatException(path, "must be a flow id, a list of flow ids or \"\""),
    };

    private static List<string> StringList(JsonNode? node, string path)
    {
        if (node is null)
        {
            return [];
        }

        if (node is not JsonArray a)
        {
            throw new PipelineFormatException(path, "must be a list of strings");
        }

        var list = new List<string>(a.Count);
        for (var i = 0; i < a.Count; i++)
        {
            list.Add(a[i] is JsonValue v && v.TryGetValue<string>(out var s) ? s
                : throw new PipelineFormatException($"{path}[{i}]", "must be a string"));
        }

        return list;
    }

    private static JsonObject AsObject(JsonNode? node, string path) =>
        node as JsonObject ?? throw new PipelineFormatException(path, node is null ? "required object is missing" : "must be an object");

    private static IEnumerable<KeyValuePair<string, JsonNode?>> OptionalObject(JsonObject o, string key, string path) =>
        o[key] switch
        {
            null => [],
            JsonObject obj => obj,
            _ => throw new PipelineFormatException($"{path}.{key}", "must be an object keyed by id"),
        };

    private static string RequiredString(JsonObject o, string key, string path) =>
        o[key] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0
            ? s
            : throw new PipelineFormatException($"{path}.{key}", o[key] is null ? "required string is missing" : "must be a non-empty string");

    private static bool Bool(JsonObject o, string key, bool fallback, string path) => o[key] switch
    {
        null => fallback,
        JsonValue v when v.TryGetValue<bool>(out var b) => b,
        _ => throw new PipelineFormatException($"{path}.{key}", "must be true or false"),
    };

    public static JsonObject Write(Pipeline p)
    {
        var o = (JsonObject)p.Source.DeepClone();
        o["id"] = p.Id;
        o["start_event"] = WriteNode(p.StartEvent);
        o["end_event"] = WriteNode(p.EndEvent);
        var acts = new JsonObject();
        foreach (var (k, a) in p.Activities)
        {
            acts[k] = WriteNode(a);
        }

        o["activities"] = acts;
        var gws = new JsonObject();
        foreach (var (k, g) in p.Gateways)
        {
            gws[k] = WriteNode(g);
        }

        o["gateways"] = gws;
        if (!o.ContainsKey("flows"))
        {
            o["flows"] = new JsonObject();
        }

        return o;
    }

    private static JsonObject WriteNode(Node n)
    {
        var o = (JsonObject)n.Source.DeepClone();
        if (!FlowRefs(o["incoming"], "").SequenceEqual(n.Incoming))
        {
            o["incoming"] = new JsonArray(n.Incoming.Select(i => (JsonNode)i).ToArray());
        }

        switch (n)
        {
            case GatewayNode g when g.ConvergeGatewayId is not null:
                o["converge_gateway_id"] = g.ConvergeGatewayId;
                break;
            case SubProcessNode s:
                o["pipeline"] = Write(s.Pipeline);
                break;
        }

        return o;
    }

    public static string ToText(JsonNode node) => node.ToJsonString(Indented);
}
