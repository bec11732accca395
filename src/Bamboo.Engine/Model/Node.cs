using System.Text.Json.Nodes;

namespace Bamboo.Engine.Model;

/// <summary>One node of a pipeline level. <see cref="Source"/> keeps the JSON it was read from so every field round-trips.</summary>
public abstract record Node(string Id, string? Name, string Type, IReadOnlyList<string> Incoming, IReadOnlyList<string> Outgoing)
{
    public abstract NodeKind Kind { get; }

    /// <summary>The JSON the node was read from (a lazy view of the tree's document); null for nodes made in code.</summary>
    internal JsonObject? Source { get; init; }

    public bool IsGateway => Kind is NodeKind.ExclusiveGateway or NodeKind.ParallelGateway
        or NodeKind.ConditionalParallelGateway or NodeKind.ConvergeGateway;

    public bool IsActivity => Kind is NodeKind.ServiceActivity or NodeKind.SubProcess;

    public bool IsEndEvent => Kind is NodeKind.EmptyEndEvent or NodeKind.ExecutableEndEvent;

    /// <summary>True for parallel and conditional parallel gateways, which fork processes.</summary>
    public bool IsForking => Kind is NodeKind.ParallelGateway or NodeKind.ConditionalParallelGateway;
}

/// <summary>The single start of a pipeline level.</summary>
public sealed record StartEventNode(string Id, string? Name, IReadOnlyList<string> Incoming, IReadOnlyList<string> Outgoing)
    : Node(Id, Name, "EmptyStartEvent", Incoming, Outgoing)
{
    public override NodeKind Kind => NodeKind.EmptyStartEvent;
}

/// <summary>The single end of a pipeline level; executable when its type is a registered end-event code.</summary>
public sealed record EndEventNode(string Id, string? Name, string Type, IReadOnlyList<string> Incoming, IReadOnlyList<string> Outgoing)
    : Node(Id, Name, Type, Incoming, Outgoing)
{
    public override NodeKind Kind => Type == "EmptyEndEvent" ? NodeKind.EmptyEndEvent : NodeKind.ExecutableEndEvent;
}

/// <summary>An activity bound to a component by code and version.</summary>
public sealed record ServiceActivityNode(
    string Id, string? Name, IReadOnlyList<string> Incoming, IReadOnlyList<string> Outgoing,
    string ComponentCode, string ComponentVersion, IReadOnlyDictionary<string, Var> Inputs,
    bool ErrorIgnorable, bool Skippable, bool Retryable)
    : Node(Id, Name, "ServiceActivity", Incoming, Outgoing)
{
    public override NodeKind Kind => NodeKind.ServiceActivity;

    /// <summary>
    /// The tree's <c>timeout</c> (seconds): how long one execute or schedule call may take before the engine fails the
    /// node and frees its slot. An extension beyond bamboo, which stores the field but does not act on it.
    /// </summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>
/// An activity that embeds a whole pipeline. The engine runs that pipeline under this node's id; a tree whose embedded
/// pipeline has another id is accepted, and validation gives the pipeline this node's id.
/// </summary>
public sealed record SubProcessNode(
    string Id, string? Name, IReadOnlyList<string> Incoming, IReadOnlyList<string> Outgoing,
    IReadOnlyDictionary<string, Var> Params, Pipeline Pipeline)
    : Node(Id, Name, "SubProcess", Incoming, Outgoing)
{
    public override NodeKind Kind => NodeKind.SubProcess;
}

/// <summary>A condition on a gateway's outgoing flow.</summary>
public sealed record FlowCondition(string FlowId, string Evaluate);

/// <summary>Any of the four gateway kinds.</summary>
public sealed record GatewayNode(
    string Id, string? Name, string Type, NodeKind GatewayKind, IReadOnlyList<string> Incoming, IReadOnlyList<string> Outgoing,
    IReadOnlyList<FlowCondition> Conditions, string? DefaultFlowId, JsonObject? ExtraInfo, string? ConvergeGatewayId)
    : Node(Id, Name, Type, Incoming, Outgoing)
{
    public override NodeKind Kind => GatewayKind;
}

/// <summary>A directed edge between two nodes of one level.</summary>
public sealed record Flow(string Id, string Source, string Target, bool IsDefault);
