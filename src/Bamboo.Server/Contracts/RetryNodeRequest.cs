using System.Text.Json.Nodes;

namespace Bamboo.Server.Contracts;

/// <summary>retry_node: new raw inputs for the node, or none to run it with the ones it had.</summary>
public sealed record RetryNodeRequest(JsonObject? Data = null);
