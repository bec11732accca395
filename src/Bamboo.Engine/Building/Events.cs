using System.Text.Json.Nodes;

namespace Bamboo.Engine.Building;

/// <summary>The start of a pipeline level.</summary>
public sealed class EmptyStartEvent(string? id = null, string? name = null) : Element(id, name)
{
    public override string Type => "EmptyStartEvent";

    internal override JsonObject ToJson(IReadOnlyList<string> incoming, IReadOnlyList<string> flows) => new()
    {
        ["incoming"] = "",
        ["outgoing"] = flows.Count > 0 ? flows[0] : "",
        ["type"] = Type,
        ["id"] = Id,
        ["name"] = Name,
    };
}

/// <summary>The plain end of a pipeline level.</summary>
public class EmptyEndEvent(string? id = null, string? name = null) : Element(id, name)
{
    public override string Type => "EmptyEndEvent";

    internal override JsonObject ToJson(IReadOnlyList<string> incoming, IReadOnlyList<string> flows) => new()
    {
        ["incoming"] = Strings(incoming),
        ["outgoing"] = "",
        ["type"] = Type,
        ["id"] = Id,
        ["name"] = Name,
    };
}

/// <summary>An end event that runs registered end-event code; its type is that code.</summary>
public sealed class ExecutableEndEvent(string type, string? id = null, string? name = null) : EmptyEndEvent(id, name)
{
    public override string Type { get; } = type;
}
