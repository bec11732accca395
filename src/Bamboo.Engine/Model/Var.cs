using System.Text.Json.Nodes;

namespace Bamboo.Engine.Model;

/// <summary>A variable: pipeline input, activity input or subprocess param (pipeline-tree.md §4.2).</summary>
public sealed record Var(string Type, JsonNode? Value)
{
    public const string Plain = "plain";
    public const string Splice = "splice";
    public const string Lazy = "lazy";

    public string? CustomType { get; init; }

    /// <summary>Node-output sources: (source_act, source_key) pairs; empty for ordinary variables.</summary>
    public IReadOnlyList<(string Act, string Key)> Sources { get; init; } = [];

    public bool NeedInitialization { get; init; }

    /// <summary>False when the input carries "need_render": false (escaped input).</summary>
    public bool? NeedRender { get; init; }

    public bool IsNodeOutput => Sources.Count > 0;
}
