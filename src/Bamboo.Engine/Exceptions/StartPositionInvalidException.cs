namespace Bamboo.Engine.Exceptions;

/// <summary>The requested start_node_id is not on the pipeline's main line.</summary>
public sealed class StartPositionInvalidException(string nodeId)
    : BambooException($"node {nodeId}: this node_id is not allowed as a starting node")
{
    public string NodeId { get; } = nodeId;
}
