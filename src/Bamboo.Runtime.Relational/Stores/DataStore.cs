using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Relational.Stores;

/// <summary>Execution data (kept in the state rows), retry input overrides, and context values.</summary>
internal sealed class DataStore(RelationalTransaction tx) : IDataStore
{
    private const string RawInputsSql = "SELECT inputs FROM raw_inputs WHERE node_id = $0";
    private const string SetRawInputsSql = "INSERT INTO raw_inputs (node_id, inputs) VALUES ($0, $1) ON CONFLICT (node_id) DO UPDATE SET inputs = excluded.inputs";
    private const string DataSql = "SELECT node_id, inputs, outputs FROM states WHERE node_id = $0 AND inputs IS NOT NULL";
    private const string ContextColumns = "key, type, value, code, refs";
    private const string AllContextSql = $"SELECT {ContextColumns} FROM context_values WHERE pipeline_id = $0 ORDER BY key";
    private const string ContextSql = $"SELECT {ContextColumns} FROM context_values WHERE pipeline_id = $0 AND key = $1";

    private const string UpsertContextSql = "INSERT INTO context_values (pipeline_id, key, type, value, code, refs) VALUES ($0, $1, $2, $3, $4, $5) " +
        "ON CONFLICT (pipeline_id, key) DO UPDATE SET type = excluded.type, value = excluded.value, code = excluded.code, refs = excluded.refs";

    private static readonly byte[] JsonNull = "null"u8.ToArray();

    private SqlSession Session => tx.Session;

    private static ContextValue MapContext(ISqlRow r) => new(r.GetString(0), (ContextValueType)r.GetInt32(1),
        r.IsNull(2) ? null : JsonNode.Parse(r.GetString(2)), r.GetString(3), Rows.Strings(r, 4));

    public ValueTask<JsonObject?> GetRawInputsOverrideAsync(string nodeId) => Session.OneAsync(RawInputsSql, r => Rows.Object(r, 0), nodeId);

    public async ValueTask SetRawInputsOverrideAsync(string nodeId, JsonObject inputs) =>
        await Session.ExecuteLaterAsync(SetRawInputsSql, null, nodeId, tx.Json.Of(inputs)).ConfigureAwait(false);

    public ValueTask<ExecutionDataRecord?> GetExecutionDataAsync(string nodeId) =>
        tx.PendingData.TryGetValue(nodeId, out var pending)
            ? ValueTask.FromResult<ExecutionDataRecord?>(new ExecutionDataRecord(nodeId, JsonNode.Parse(pending.Inputs)!.AsObject(), JsonNode.Parse(pending.Outputs)!.AsObject()))
            : Session.OneAsync(DataSql, r => new ExecutionDataRecord(r.GetString(0), Rows.Object(r, 1), Rows.Object(r, 2)), nodeId);

    public ValueTask SetExecutionDataAsync(ExecutionDataRecord data)
    {
        ArgumentNullException.ThrowIfNull(data);
        tx.PendingData[data.NodeId] = (tx.Json.Of(data.Inputs), tx.Json.Of(data.Outputs));
        return ValueTask.CompletedTask;
    }

    public async ValueTask<IReadOnlyList<ContextValue>> GetContextValuesAsync(string pipelineId, IEnumerable<string>? keys = null)
    {
        if (keys is null)
        {
            return await Session.QueryAsync(AllContextSql, MapContext, pipelineId).ConfigureAwait(false);
        }

        var list = new List<ContextValue>();
        foreach (var key in keys)
        {
            if (await Session.OneAsync(ContextSql, MapContext, pipelineId, key).ConfigureAwait(false) is { } v)
            {
                list.Add(v);
            }
        }

        return list;
    }

    public async ValueTask UpsertContextValueAsync(string pipelineId, ContextValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        await Session.ExecuteLaterAsync(UpsertContextSql, null, pipelineId, value.Key, (int)value.Type, value.Value is null ? JsonNull : tx.Json.Of(value.Value), value.Code,
            tx.Json.Of(value.References)).ConfigureAwait(false);
    }
}
