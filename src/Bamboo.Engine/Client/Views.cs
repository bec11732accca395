using System.Text.Json.Nodes;

namespace Bamboo.Engine.Client;

/// <summary>How a pipeline stands once nothing moves in it (or <see cref="Running"/> while something does).</summary>
public enum PipelineEnd
{
    /// <summary>Tasks are queued or running: it has not stopped.</summary>
    Running,

    Finished,

    /// <summary>Stopped at failed nodes; an operator retries or skips them.</summary>
    Failed,

    Revoked,

    /// <summary>Paused: the pipeline (pause) or nodes paused before they start (pause_node_appoint).</summary>
    Suspended,

    /// <summary>Activities wait for callbacks (<see cref="BambooClient.CallbackAsync"/>).</summary>
    WaitingForCallback,

    /// <summary>
    /// Tasks wait for a worker: one that has the components they need (see <see cref="PipelineOutcome.Requirements"/>),
    /// or any worker at all when none is running on the store (no requirements).
    /// </summary>
    WaitingForWorker,
}

/// <summary>
/// How a pipeline ended or stopped, and the nodes that say why: failed, paused or waiting ones (none when the pipeline
/// itself was paused, revoked or finished).
/// </summary>
public sealed record PipelineOutcome(string RootId, PipelineEnd End, IReadOnlyList<NodeView> Nodes)
{
    /// <summary>
    /// For <see cref="PipelineEnd.WaitingForWorker"/>: what the waiting tasks require, as people read it; empty when they
    /// need any worker and no worker is running.
    /// </summary>
    public IReadOnlyList<string> Requirements { get; init; } = [];
}

/// <summary>A node of a run as people look at it: what it is, and its state if it has one.</summary>
public sealed record NodeView(
    string Id, string Name, string Kind, string ParentId, string? Component,
    string? State, string? Version, int Loop, int Retry, bool Skip, bool ErrorIgnored,
    DateTimeOffset? StartedAt, DateTimeOffset? ArchivedAt);

/// <summary>A run in a list.</summary>
public sealed record PipelineSummary(string Id, string Name, string State, DateTimeOffset CreatedAt, DateTimeOffset? ArchivedAt);

/// <summary>A page of runs, newest first; <see cref="Next"/> continues after it (null on the last page).</summary>
public sealed record PipelinePage(IReadOnlyList<PipelineSummary> Items, string? Next);

/// <summary>Which runs a list wants; <see cref="After"/> is a previous page's <see cref="PipelinePage.Next"/>.</summary>
public sealed record PipelineQuery
{
    public string? State { get; init; }

    public DateTimeOffset? From { get; init; }

    public DateTimeOffset? Before { get; init; }

    /// <summary>Part of the id or the name.</summary>
    public string? Text { get; init; }

    public string? After { get; init; }

    public int Limit { get; init; } = 50;
}

/// <summary>A run with every node's state, for a page or a tree view.</summary>
public sealed record PipelineView(string Id, string Name, string State, DateTimeOffset CreatedAt, IReadOnlyList<NodeView> Nodes);

/// <summary>One earlier attempt of a node.</summary>
public sealed record HistoryView(int Loop, int Retry, bool Skip, string Version, DateTimeOffset? StartedAt, DateTimeOffset? ArchivedAt, JsonObject Inputs, JsonObject Outputs);

/// <summary>
/// Everything about one node: what it is, its state, its rendered inputs and outputs, the error it failed with, its
/// raw inputs, its earlier attempts, and the operator actions valid for it now (with the flows a gateway skip may take).
/// </summary>
public sealed record NodeDetail(
    NodeView Node, string RootId, JsonObject Inputs, JsonObject Outputs, string? Error, JsonObject RawInputs,
    IReadOnlyList<HistoryView> Histories, IReadOnlyList<string> Actions, IReadOnlyList<string> Flows, string? ConvergeGatewayId);
