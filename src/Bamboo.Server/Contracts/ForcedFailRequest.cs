namespace Bamboo.Server.Contracts;

/// <summary>forced_fail_activity: the error the node fails with (its ex_data).</summary>
public sealed record ForcedFailRequest(string? ExData = null);
