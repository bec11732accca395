namespace Bamboo.Server.Contracts;

/// <summary>skip_conditional_parallel_gateway: the outgoing flows to take and the gateway where they converge.</summary>
public sealed record SkipParallelGatewayRequest(IReadOnlyList<string>? FlowIds, string? ConvergeGatewayId);
