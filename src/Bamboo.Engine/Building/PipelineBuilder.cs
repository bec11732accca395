using System.Text.Json.Nodes;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Building;

/// <summary>Turns a connected graph of builder elements into a pipeline tree, like bamboo's <c>build_tree</c>.</summary>
public static class PipelineBuilder
{
    /// <summary>The tree JSON, exactly as bamboo's builder lays it out.</summary>
    public static JsonObject BuildTreeJson(EmptyStartEvent start, string? id = null, Data? data = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        return TreeWriter.Write(start, id ?? Ids.New('p'), data);
    }

    /// <summary>The immutable pipeline, ready for <c>EngineApi.RunPipelineAsync</c>.</summary>
    public static Pipeline BuildTree(EmptyStartEvent start, string? id = null, Data? data = null) =>
        PipelineJson.Read(BuildTreeJson(start, id, data), "$");
}
