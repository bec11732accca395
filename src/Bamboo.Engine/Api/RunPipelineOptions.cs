using System.Text.Json.Nodes;

namespace Bamboo.Engine.Api;

/// <summary>Options of run_pipeline (api.md §1).</summary>
public sealed record RunPipelineOptions
{
    public JsonObject RootPipelineData { get; init; } = [];

    public JsonObject RootPipelineContext { get; init; } = [];

    public JsonObject SubprocessContext { get; init; } = [];

    public bool CycleTolerate { get; init; }

    public string? StartNodeId { get; init; }

    public string Queue { get; init; } = "";

    public int Priority { get; init; } = 100;

    /// <summary>The run's name in lists and searches; the tree's <c>name</c> when not given.</summary>
    public string? Name { get; init; }

    /// <summary>
    /// Refuse a tree whose components or variable types this engine's registry lacks, naming the node. Off by default:
    /// a run may be started by a process that only starts runs, for workers elsewhere that have the components.
    /// </summary>
    public bool CheckComponents { get; init; }
}
