using System.Text.Json.Nodes;

namespace Bamboo.Engine.Components;

/// <summary>The inputs and outputs a service reads and writes; changes to both are persisted as the node's execution data.</summary>
public sealed class ExecutionData(JsonObject inputs, JsonObject outputs)
{
    public JsonObject Inputs { get; private set; } = inputs;

    public JsonObject Outputs { get; private set; } = outputs;

    public JsonNode? GetOneOfInputs(string key, JsonNode? fallback = null) => Inputs.TryGetPropertyValue(key, out var v) ? v : fallback;

    public JsonNode? GetOneOfOutputs(string key, JsonNode? fallback = null) => Outputs.TryGetPropertyValue(key, out var v) ? v : fallback;

    public void SetOutputs(string key, JsonNode? value) => Outputs[key] = value;

    public void UpdateOutputs(JsonObject values)
    {
        foreach (var (k, v) in values)
        {
            Outputs[k] = v?.DeepClone();
        }
    }

    public void ResetOutputs(JsonObject values) => Outputs = (JsonObject)values.DeepClone();

    /// <summary>Copies both parts so a caller can keep a snapshot.</summary>
    public ExecutionData Clone() => new((JsonObject)Inputs.DeepClone(), (JsonObject)Outputs.DeepClone());
}
