namespace Bamboo.Engine.Exceptions;

/// <summary>A node breaks the connection rules (degrees or allowed targets).</summary>
public sealed class ConnectionValidateException(string nodeId, string detail)
    : TreeInvalidException($"node {nodeId}: {detail}")
{
    public string NodeId { get; } = nodeId;

    public string Detail { get; } = detail;
}
