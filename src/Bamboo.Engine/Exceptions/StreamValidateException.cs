namespace Bamboo.Engine.Exceptions;

/// <summary>A node is reachable from inside a parallel branch and from elsewhere.</summary>
public sealed class StreamValidateException(string nodeId)
    : TreeInvalidException($"node {nodeId}: reachable from more than one parallel stream (a branch jumps into another branch or into the main line)")
{
    public string NodeId { get; } = nodeId;
}
