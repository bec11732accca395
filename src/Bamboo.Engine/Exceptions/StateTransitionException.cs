namespace Bamboo.Engine.Exceptions;

/// <summary>The state table forbids the requested transition.</summary>
public sealed class StateTransitionException(string nodeId, string from, string to)
    : BambooException($"can't transit node({nodeId}) state from {from} to {to}")
{
    public string NodeId { get; } = nodeId;
}
