using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Building;

/// <summary>Forks one branch per outgoing element; closed by a <see cref="ConvergeGateway"/>.</summary>
public sealed class ParallelGateway(string? id = null, string? name = null) : Element(id, name)
{
    public override string Type => "ParallelGateway";

    internal override JsonObject ToJson(IReadOnlyList<string> incoming, IReadOnlyList<string> flows) => new()
    {
        ["id"] = Id,
        ["incoming"] = Strings(incoming),
        ["outgoing"] = Strings(flows),
        ["type"] = Type,
        ["name"] = Name,
    };
}

/// <summary>Joins branches.</summary>
public sealed class ConvergeGateway(string? id = null, string? name = null) : Element(id, name)
{
    public override string Type => "ConvergeGateway";

    internal override JsonObject ToJson(IReadOnlyList<string> incoming, IReadOnlyList<string> flows) => new()
    {
        ["id"] = Id,
        ["incoming"] = Strings(incoming),
        ["outgoing"] = flows.Count > 0 ? flows[0] : "",
        ["type"] = Type,
        ["name"] = Name,
    };
}

/// <summary>Shared shape of gateways whose outgoing flows carry conditions, keyed by outgoing index.</summary>
public abstract class ConditionalGateway(IReadOnlyDictionary<int, string> conditions, int? defaultIndex, string? id, string? name) : Element(id, name)
{
    internal override JsonObject ToJson(IReadOnlyList<string> incoming, IReadOnlyList<string> flows)
    {
        var conds = new JsonObject();
        for (var i = 0; i < flows.Count; i++)
        {
            conds[flows[i]] = new JsonObject
            {
                ["evaluate"] = conditions.TryGetValue(i, out var c) ? c
                    : throw new PipelineFormatException($"gateway {Id}.conditions", $"outgoing index {i} has no condition"),
            };
        }

        return new JsonObject
        {
            ["id"] = Id,
            ["incoming"] = Strings(incoming),
            ["outgoing"] = Strings(flows),
            ["type"] = Type,
            ["name"] = Name,
            ["conditions"] = conds,
            ["default_condition"] = defaultIndex is int d && d < flows.Count ? new JsonObject { ["flow_id"] = flows[d] } : new JsonObject(),
        };
    }
}

/// <summary>Takes exactly one branch: the one whose condition holds, else the default.</summary>
public sealed class ExclusiveGateway(IReadOnlyDictionary<int, string> conditions, int? defaultIndex = null, string? id = null, string? name = null)
    : ConditionalGateway(conditions, defaultIndex, id, name)
{
    public override string Type => "ExclusiveGateway";
}

/// <summary>Forks every branch whose condition holds (or the default).</summary>
public sealed class ConditionalParallelGateway(IReadOnlyDictionary<int, string> conditions, int? defaultIndex = null, string? id = null, string? name = null)
    : ConditionalGateway(conditions, defaultIndex, id, name)
{
    public override string Type => "ConditionalParallelGateway";
}
