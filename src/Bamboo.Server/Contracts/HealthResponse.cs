namespace Bamboo.Server.Contracts;

/// <summary>The answer of <c>/health</c> and <c>/ready</c>.</summary>
public sealed record HealthResponse(string Status);
