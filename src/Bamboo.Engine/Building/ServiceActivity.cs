using System.Text.Json.Nodes;

namespace Bamboo.Engine.Building;

/// <summary>An activity bound to a component; set inputs with <c>Inputs["key"] = new Var(...)</c>.</summary>
public sealed class ServiceActivity(string componentCode, string? id = null, string? name = null,
    bool errorIgnorable = false, bool skippable = true, bool retryable = true) : Element(id, name)
{
    public override string Type => "ServiceActivity";

    public string ComponentCode { get; } = componentCode;

    public Dictionary<string, Var> Inputs { get; } = [];

    /// <summary>How long one call of the service may take before the engine fails the node (the tree's <c>timeout</c>).</summary>
    public TimeSpan? Timeout { get; init; }

    internal override JsonObject ToJson(IReadOnlyList<string> incoming, IReadOnlyList<string> flows)
    {
        var inputs = new JsonObject();
        foreach (var (k, v) in Inputs)
        {
            inputs[k] = v.ToJson();
        }

        return new JsonObject
        {
            ["incoming"] = Strings(incoming),
            ["outgoing"] = flows.Count > 0 ? flows[0] : "",
            ["type"] = Type,
            ["id"] = Id,
            ["name"] = Name,
            ["error_ignorable"] = errorIgnorable,
            ["timeout"] = Timeout is { } t ? JsonValue.Create(t.TotalSeconds) : null,
            ["skippable"] = skippable,
            ["retryable"] = retryable,
            ["component"] = new JsonObject { ["code"] = ComponentCode, ["inputs"] = inputs },
            ["optional"] = false,
        };
    }
}
