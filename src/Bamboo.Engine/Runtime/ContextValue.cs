using System.Text.Json.Nodes;

namespace Bamboo.Engine.Runtime;

/// <summary>How a context value is resolved.</summary>
public enum ContextValueType
{
    Plain = 1,
    Splice = 2,
    Compute = 3,
}

/// <summary>A variable of a pipeline context, keyed <c>${name}</c>.</summary>
public sealed record ContextValue(string Key, ContextValueType Type, JsonNode? Value, string Code, IReadOnlyList<string> References);
