using System.Text.Json.Nodes;
using Bamboo.Engine.Api;

namespace Bamboo.Server.Contracts;

/// <summary>
/// bamboo's EngineAPIResult as the server sends it: <c>result</c> false is the engine refusing, with <c>message</c>
/// saying why. <c>exc_trace</c> is left out on purpose: stack traces stay in the server's log.
/// </summary>
public sealed record EngineApiResponse(bool Result, string Message, string? Exc, JsonNode? Data)
{
    public static EngineApiResponse From(EngineApiResult result, JsonNode? data = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        // ToJson is the one place that formats "exc"; its exc_trace is dropped here.
        var exc = result.Exception is null ? null : result.ToJson()["exc"]?.GetValue<string>();
        return new EngineApiResponse(result.Result, result.Message, exc, data ?? result.Data);
    }
}
