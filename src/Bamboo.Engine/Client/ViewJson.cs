using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Bamboo.Engine.Client;

/// <summary>
/// The one JSON shape of the client's views, as the HTTP API and the CLI's <c>--json</c> write them: snake_case names,
/// enums as snake_case strings; dictionary keys (node ids) and the JSON the views hold (inputs, outputs) stay as they are.
/// The views' contracts are generated at build time, so writing them needs no reflection (the native CLI has none).
/// </summary>
public static class ViewJson
{
    /// <summary>The views' options, read-only; copy them to change anything (<c>new(ViewJson.Options) { ... }</c>).</summary>
    public static JsonSerializerOptions Options => ViewJsonContext.Default.Options;

    private static readonly JsonSerializerOptions IndentedOptions = Indent();

    /// <summary>Sets <paramref name="options"/> to write the views' shape (for any type, through reflection where not generated).</summary>
    [RequiresDynamicCode("Writes every enum as a string through reflection; the views alone need none (Serialize).")]
    public static void Configure(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.TypeInfoResolverChain.Insert(0, ViewJsonContext.Default);
    }

    /// <summary>Writes a view (<see cref="PipelinePage"/>, <see cref="PipelineView"/>, <see cref="NodeDetail"/>, <see cref="PipelineOutcome"/>).</summary>
    public static string Serialize<T>(T value, bool indented = false)
    {
        var options = indented ? IndentedOptions : Options;
        return options.GetTypeInfo(typeof(T)) is JsonTypeInfo<T> info
            ? JsonSerializer.Serialize(value, info)
            : throw new NotSupportedException($"{typeof(T).Name} is not one of the client's views");
    }

    private static JsonSerializerOptions Indent()
    {
        var options = new JsonSerializerOptions(Options) { WriteIndented = true };
        options.MakeReadOnly();
        return options;
    }
}

/// <summary>Snake_case names for <see cref="PipelineEnd"/> ("waiting_for_callback"), without reflection.</summary>
internal sealed class PipelineEndJsonConverter() : JsonStringEnumConverter<PipelineEnd>(JsonNamingPolicy.SnakeCaseLower);

[JsonSourceGenerationOptions(JsonSerializerDefaults.General, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(PipelineEndJsonConverter)])]
[JsonSerializable(typeof(PipelineOutcome))]
[JsonSerializable(typeof(PipelinePage))]
[JsonSerializable(typeof(PipelineView))]
[JsonSerializable(typeof(NodeDetail))]
internal sealed partial class ViewJsonContext : JsonSerializerContext;
