using System.Text.Json.Nodes;

namespace Bamboo.Engine.Api;

/// <summary>What every Engine API function returns; <see cref="Message"/> says why when <see cref="Result"/> is false.</summary>
public sealed record EngineApiResult(bool Result, string Message, Exception? Exception, JsonNode? Data)
{
    public static EngineApiResult Success(JsonNode? data = null) => new(true, "success", null, data);

    public static EngineApiResult Fail(Exception ex) => new(false, ex.Message, ex, null);

    /// <summary>The JSON shape of bamboo's EngineAPIResult.</summary>
    public JsonObject ToJson() => new()
    {
        ["result"] = Result,
        ["message"] = Message,
        ["exc"] = Exception is null ? null : $"{Exception.GetType().Name}: {Exception.Message}",
        ["data"] = Data?.DeepClone(),
        ["exc_trace"] = Exception?.ToString(),
    };
}
