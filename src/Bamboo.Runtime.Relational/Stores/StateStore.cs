using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Relational.Stores;

/// <summary>Node states; a node's execution data shares its state's row (see RelationalTransaction's pending data).</summary>
internal sealed class StateStore(RelationalTransaction tx, SqlDialect dialect) : IStateStore
{
    private const string Columns = "node_id, root_id, parent_id, name, version, loop, inner_loop, retry, skip, error_ignored, created_time, started_time, archived_time";
    private const string GetSql = $"SELECT {Columns} FROM states WHERE node_id = $0";

    private const string InsertSql = $"INSERT INTO states ({Columns}, inputs, outputs) VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)";

    // Data recorded in the same work is written with the state; without any, the stored data stays (NULL binds keep it).
    private const string UpdateSql = "UPDATE states SET root_id = $1, parent_id = $2, name = $3, version = $4, loop = $5, inner_loop = $6, retry = $7, skip = $8, " +
        "error_ignored = $9, started_time = $10, archived_time = $11, inputs = COALESCE($13, inputs), outputs = COALESCE($14, outputs) WHERE node_id = $0 AND version = $12";

    // The same, on the condition that the stored state also has the name the writer last saw ($15).
    private const string UpdateNamedSql = UpdateSql + " AND name = $15";

    internal const string SetDataSql = "UPDATE states SET inputs = $1, outputs = $2 WHERE node_id = $0";

    // Point lookups joined by UNION ALL for short lists, one statement per length: an IN list would first build a
    // temporary b-tree of its values, which costs more than the lookups. Longer lists go through a JSON array.
    private static readonly string[] ManySql = [.. Enumerable.Range(1, 8).Select(n =>
        string.Join(" UNION ALL ", Enumerable.Range(0, n).Select(i => $"SELECT {Columns} FROM states WHERE node_id = ${i}")))];

    // Driven by the list, one key lookup per id: "node_id IN (list)" first copied the list into a temporary b-tree.
    private readonly string _manyJsonSql = $"SELECT {Columns} FROM ({dialect.JsonStrings("$0")}) AS ids JOIN states ON states.node_id = ids.value";

    private readonly string _resetInnerLoopSql = $"UPDATE states SET inner_loop = 0 WHERE node_id IN ({dialect.JsonStrings("$0")})";

    private readonly Dictionary<(int Depth, int Stopping), string> _stepSql = [];

    private SqlSession Session => tx.Session;

    internal static StateRecord Map(ISqlRow r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
        r.GetInt32(5), r.GetInt32(6), r.GetInt32(7), Rows.Bool(r, 8), Rows.Bool(r, 9), r.GetInt64(10), Rows.NullableLong(r, 11), Rows.NullableLong(r, 12));

    public ValueTask<StateRecord?> GetAsync(string nodeId) => Session.OneAsync(GetSql, Map, nodeId);

    public async ValueTask<IReadOnlyList<StateRecord>> GetManyAsync(IReadOnlyList<string> nodeIds)
    {
        ArgumentNullException.ThrowIfNull(nodeIds);
        // Each id once: the statements below would return a state once per mention.
        var ids = nodeIds.Distinct(StringComparer.Ordinal).ToList();
        return ids.Count switch
        {
            0 => [],
            <= 8 => await Session.QueryAsync(ManySql[ids.Count - 1], Map, [.. ids]).ConfigureAwait(false),
            _ => await Session.QueryAsync(_manyJsonSql, Map, tx.Json.Of(ids)).ConfigureAwait(false),
        };
    }

    // The node, then each stack entry only if it stops a walk: on the common path one row (or none) is mapped.
    private string StepSql(int depth, int stopping)
    {
        if (!_stepSql.TryGetValue((depth, stopping), out var sql))
        {
            // $0 the node, $1..$depth the stack, then the stopping state names.
            var names = string.Join(", ", Enumerable.Range(depth + 1, stopping).Select(i => "$" + i));
            sql = string.Join(" UNION ALL ", Enumerable.Range(0, depth + 1).Select(i => i == 0
                ? $"SELECT {Columns} FROM states WHERE node_id = $0"
                : $"SELECT {Columns} FROM states WHERE node_id = ${i} AND name IN ({names})"));
            _stepSql[(depth, stopping)] = sql;
        }

        return sql;
    }

    public async ValueTask<(StateRecord? Node, IReadOnlyList<StateRecord> Stopping)> GetStepStatesAsync(string nodeId, IReadOnlyList<string> stack, IReadOnlyList<string> stopping)
    {
        ArgumentNullException.ThrowIfNull(stack);
        ArgumentNullException.ThrowIfNull(stopping);
        // No stopping states, nothing on the stack can stop the walk: the node alone (an empty "IN ()" is not SQL everywhere).
        var rows = stopping.Count == 0
            ? await Session.QueryAsync(StepSql(0, 0), Map, nodeId).ConfigureAwait(false)
            : await Session.QueryAsync(StepSql(stack.Count, stopping.Count), Map, [nodeId, .. stack, .. stopping]).ConfigureAwait(false);
        StateRecord? node = null;
        var stopped = new List<StateRecord>(0);
        foreach (var row in rows)
        {
            if (row.NodeId == nodeId)
            {
                node = row;
            }
            else
            {
                stopped.Add(row);
            }
        }

        return (node, stopped);
    }

    public async ValueTask InsertAsync(StateRecord s)
    {
        ArgumentNullException.ThrowIfNull(s);
        tx.PendingData.Remove(s.NodeId, out var data);
        await Session.ExecuteLaterAsync(InsertSql, null,
            s.NodeId, s.RootId, s.ParentId, s.Name, s.Version, s.Loop, s.InnerLoop, s.Retry, s.Skip, s.ErrorIgnored, s.CreatedTime, s.StartedTime, s.ArchivedTime,
            data.Inputs, data.Outputs).ConfigureAwait(false);
    }

    public async ValueTask<bool> UpdateAsync(StateRecord s, string expectedVersion)
    {
        ArgumentNullException.ThrowIfNull(s);
        var hasData = tx.PendingData.Remove(s.NodeId, out var data);
        var written = await Session.ExecuteAsync(UpdateSql, s.NodeId, s.RootId, s.ParentId, s.Name, s.Version, s.Loop, s.InnerLoop, s.Retry, s.Skip,
            s.ErrorIgnored, s.StartedTime, s.ArchivedTime, expectedVersion, data.Inputs, data.Outputs).ConfigureAwait(false) == 1;
        if (hasData && !written)
        {
            // Not written with this state: it still waits for the node's next write.
            tx.PendingData[s.NodeId] = data;
        }

        return written;
    }

    public async ValueTask UpdateOrThrowAsync(StateRecord s, string expectedVersion, string? expectedName = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        // The work fails on a mismatch, so data written with the state needs no putting back as in UpdateAsync.
        tx.PendingData.Remove(s.NodeId, out var data);
        var check = new RowCheck(1, () => new StateVersionNotMatchException(expectedName is null
            ? $"state with version({expectedVersion}) not exist"
            : $"state with version({expectedVersion}) and name {expectedName} not exist"));
        object?[] args = [s.NodeId, s.RootId, s.ParentId, s.Name, s.Version, s.Loop, s.InnerLoop, s.Retry, s.Skip, s.ErrorIgnored, s.StartedTime, s.ArchivedTime,
            expectedVersion, data.Inputs, data.Outputs];
        await Session.ExecuteLaterAsync(expectedName is null ? UpdateSql : UpdateNamedSql, check, expectedName is null ? args : [.. args, expectedName]).ConfigureAwait(false);
    }

    public async ValueTask ResetInnerLoopAsync(IReadOnlyCollection<string> nodeIds) =>
        await Session.ExecuteLaterAsync(_resetInnerLoopSql, null, tx.Json.Of(nodeIds)).ConfigureAwait(false);
}
