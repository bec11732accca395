using System.Text.Json.Nodes;

namespace Bamboo.Engine.Building;

/// <summary>A variable of the builder: plain, splice or lazy (with the code of its variable type).</summary>
public class Var(string type, JsonNode? value, string? customType = null)
{
    public const string Plain = "plain";
    public const string Splice = "splice";
    public const string Lazy = "lazy";

    public string VarType { get; } = type;

    internal virtual JsonObject ToJson()
    {
        var o = new JsonObject { ["type"] = VarType, ["value"] = value?.DeepClone() };
        if (VarType == Lazy)
        {
            o["custom_type"] = customType;
        }

        return o;
    }
}

/// <summary>A subprocess input meant to be overridden by the parent's params.</summary>
public sealed class DataInput(string type, JsonNode? value, string? customType = null) : Var(type, value, customType)
{
    internal override JsonObject ToJson()
    {
        var o = base.ToJson();
        o["is_param"] = true;
        return o;
    }
}

/// <summary>A context key written with output <paramref name="sourceKey"/> of node <paramref name="sourceAct"/>.</summary>
public sealed class NodeOutput(string sourceAct, string sourceKey, string type = Var.Plain) : Var(type, null)
{
    internal override JsonObject ToJson() =>
        new() { ["type"] = VarType, ["value"] = null, ["source_act"] = sourceAct, ["source_key"] = sourceKey };
}

/// <summary>A context key fed by several nodes' outputs; the latest writer wins.</summary>
public class RewritableNodeOutput(IEnumerable<(string Act, string Key)> sources, string type = Var.Plain) : Var(type, null)
{
    protected JsonArray SourcesJson() =>
        new(sources.Select(s => (JsonNode)new JsonObject { ["source_act"] = s.Act, ["source_key"] = s.Key }).ToArray());

    internal override JsonObject ToJson() => new() { ["type"] = VarType, ["value"] = null, ["source_act"] = SourcesJson() };
}

/// <summary>A rewritable node output that also exists from the start with an initial value.</summary>
public sealed class InitializedRewritableNodeOutput(IEnumerable<(string Act, string Key)> sources, JsonNode? value, string type = Var.Plain)
    : RewritableNodeOutput(sources, type)
{
    internal override JsonObject ToJson() => new()
    {
        ["type"] = VarType,
        ["value"] = value?.DeepClone(),
        ["source_act"] = SourcesJson(),
        ["need_initialization"] = true,
    };
}

/// <summary>Values passed into a subprocess's context keys (<c>${key}</c>), evaluated in the parent.</summary>
public sealed class Params : Dictionary<string, Var>
{
    internal JsonObject ToJson()
    {
        var o = new JsonObject();
        foreach (var (k, v) in this)
        {
            o[k] = v.ToJson();
        }

        return o;
    }
}

/// <summary>Pipeline variables (<c>${key}</c> → var), exported keys and keys frozen at start.</summary>
public sealed class Data
{
    public Dictionary<string, Var> Inputs { get; } = [];

    public List<string> Outputs { get; } = [];

    public List<string> PreRenderKeys { get; } = [];

    internal JsonObject ToJson()
    {
        var inputs = new JsonObject();
        foreach (var (k, v) in Inputs)
        {
            inputs[k] = v.ToJson();
        }

        return new JsonObject
        {
            ["inputs"] = inputs,
            ["outputs"] = Element.Strings(Outputs),
            ["pre_render_keys"] = Element.Strings(PreRenderKeys),
        };
    }
}
