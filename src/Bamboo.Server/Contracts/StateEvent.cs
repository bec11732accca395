namespace Bamboo.Server.Contracts;

/// <summary>The data of an <c>event: state</c> of a run's event stream: a node (or the run itself) whose state changed.</summary>
public sealed record StateEvent(string NodeId, string State, string? Version, int Loop, int Retry);
