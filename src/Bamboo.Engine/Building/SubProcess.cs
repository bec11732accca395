using System.Text.Json.Nodes;

namespace Bamboo.Engine.Building;

/// <summary>An activity embedding the pipeline that starts at <paramref name="start"/>; its pipeline id is this node's id.</summary>
public sealed class SubProcess(EmptyStartEvent start, Data? data = null, Params? parameters = null, string? id = null, string? name = null)
    : Element(id, name)
{
    public override string Type => "SubProcess";

    internal override JsonObject ToJson(IReadOnlyList<string> incoming, IReadOnlyList<string> flows) => ToJson(incoming, flows, depth: 1);

    /// <summary>Writes the node; <paramref name="depth"/> is the subprocess level its pipeline is at (the root's children are 1).</summary>
    internal JsonObject ToJson(IReadOnlyList<string> incoming, IReadOnlyList<string> flows, int depth) => new()
    {
        ["id"] = Id,
        ["incoming"] = Strings(incoming),
        ["name"] = Name,
        ["outgoing"] = flows.Count > 0 ? flows[0] : "",
        ["type"] = Type,
        ["params"] = (parameters ?? new Params()).ToJson(),
        ["pipeline"] = TreeWriter.Write(start, Id, data, depth),
    };
}
