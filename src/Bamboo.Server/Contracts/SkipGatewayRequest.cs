namespace Bamboo.Server.Contracts;

/// <summary>skip_exclusive_gateway: the outgoing flow to take.</summary>
public sealed record SkipGatewayRequest(string? FlowId);
