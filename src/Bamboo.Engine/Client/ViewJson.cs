using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bamboo.Engine.Client;

/// <summary>
/// The one JSON shape of the client's views, as the HTTP API and the CLI's <c>--json</c> write them: snake_case names,
/// enums as snake_case strings; dictionary keys (node ids) and the JSON the views hold (inputs, outputs) stay as they are.
/// </summary>
public static class ViewJson
{
    /// <summary>The views' options, read-only; copy them to change anything (<c>new(ViewJson.Options) { ... }</c>).</summary>
    public static JsonSerializerOptions Options { get; } = ReadOnly();

    /// <summary>Sets <paramref name="options"/> to write the views' shape.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    private static JsonSerializerOptions ReadOnly()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General);
        Configure(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
