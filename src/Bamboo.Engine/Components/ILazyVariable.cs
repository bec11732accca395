using System.Text.Json.Nodes;

namespace Bamboo.Engine.Components;

/// <summary>A custom ("lazy") variable type: turns a rendered value into the variable's final value.</summary>
public interface ILazyVariable
{
    JsonNode? GetValue(JsonNode? value, JsonObject pipelineData);
}
