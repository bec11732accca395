using System.Text.Json.Nodes;

namespace Bamboo.Server.Contracts;

/// <summary>callback: data for the waiting activity, and the version it is meant for (the current one when null).</summary>
public sealed record CallbackRequest(JsonObject? Data = null, string? Version = null);
