using System.Text.Json.Nodes;

namespace Bamboo.Engine.Execution;

/// <summary>
/// A runtime hook of execution.md §13.1 (bamboo's pipeline_event signal): <see cref="Type"/> is the hook name,
/// e.g. "node_enter", "pre_execute", "node_execute_fail", "node_finish", "pipeline_finish".
/// </summary>
public sealed record PipelineEvent(string Type, string RootPipelineId, string? NodeId, JsonObject Data);
