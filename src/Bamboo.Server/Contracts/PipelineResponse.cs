using Bamboo.Engine.Client;

namespace Bamboo.Server.Contracts;

/// <summary>A run with every node (state null for a node that has not started) and how it stands.</summary>
public sealed record PipelineResponse(string Id, string Name, string State, DateTimeOffset CreatedAt, IReadOnlyList<NodeView> Nodes, OutcomeResponse Outcome);
