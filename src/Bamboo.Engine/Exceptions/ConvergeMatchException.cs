namespace Bamboo.Engine.Exceptions;

/// <summary>A gateway cannot be paired with its converge gateway.</summary>
public sealed class ConvergeMatchException(string gatewayId, string detail)
    : TreeInvalidException($"gateway {gatewayId}: {detail}")
{
    public string GatewayId { get; } = gatewayId;
}
