using System.Text.Json.Nodes;

namespace Bamboo.Server.Contracts;

/// <summary>run_pipeline: a tree (bamboo's pipeline JSON) and the options of the run.</summary>
public sealed record RunPipelineRequest(
    JsonObject? Tree,
    JsonObject? RootPipelineData = null,
    JsonObject? RootPipelineContext = null,
    JsonObject? SubprocessContext = null,
    bool CycleTolerate = false,
    string? StartNodeId = null,
    string? Name = null,
    bool FreshIds = false);
