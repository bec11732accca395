using System.Text.Json.Nodes;

namespace Bamboo.Engine.Runtime;

/// <summary>Nodes' execution data and retry inputs, and pipelines' context values.</summary>
public interface IDataStore
{
    ValueTask<JsonObject?> GetRawInputsOverrideAsync(string nodeId);

    ValueTask SetRawInputsOverrideAsync(string nodeId, JsonObject inputs);

    ValueTask<ExecutionDataRecord?> GetExecutionDataAsync(string nodeId);

    /// <summary>Records a node's data; the store may hold it until the node's state is written in the same transaction.</summary>
    ValueTask SetExecutionDataAsync(ExecutionDataRecord data);

    /// <summary>The context values of a pipeline, all of them or only <paramref name="keys"/>.</summary>
    ValueTask<IReadOnlyList<ContextValue>> GetContextValuesAsync(string pipelineId, IEnumerable<string>? keys = null);

    ValueTask UpsertContextValueAsync(string pipelineId, ContextValue value);
}
