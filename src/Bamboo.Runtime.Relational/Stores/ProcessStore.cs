using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Relational.Stores;

/// <summary>
/// Processes. They are indexed by run alone: root_id never changes after the insert, so the per-step updates touch
/// no index, and the operator lookups (processes at a node, suspended by a pipeline, children) scan one run's.
/// </summary>
internal sealed class ProcessStore(RelationalTransaction tx, SqlDialect dialect) : IProcessStore
{
    private const string Columns = "id, root_id, parent_id, destination_id, current_node_id, stack, asleep, suspended, suspended_by, dead, need_ack, ack_num, heartbeat, priority, queue";
    private const string GetSql = $"SELECT {Columns} FROM processes WHERE id = $0";

    private const string InsertSql = "INSERT INTO processes (root_id, parent_id, destination_id, current_node_id, stack, asleep, suspended, suspended_by, dead, need_ack, ack_num, heartbeat, priority, queue) " +
        "VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";

    private const string UpdateSql = "UPDATE processes SET destination_id = $1, current_node_id = $2, stack = $3, asleep = $4, suspended = $5, suspended_by = $6, dead = $7, " +
        "need_ack = $8, ack_num = $9, heartbeat = $10 WHERE id = $0";

    // One statement instead of read-modify-write: SET expressions all see the row before the update.
    private const string AcknowledgeSql = "UPDATE processes SET ack_num = CASE WHEN ack_num + 1 >= need_ack THEN 0 ELSE ack_num + 1 END, " +
        "need_ack = CASE WHEN ack_num + 1 >= need_ack THEN -1 ELSE need_ack END WHERE id = $0 RETURNING CASE WHEN need_ack = -1 THEN 1 ELSE 0 END";

    private const string AtSql = $"SELECT {Columns} FROM processes WHERE root_id = (SELECT root_id FROM nodes WHERE node_id = $0) AND current_node_id = $0 " +
        "AND (CAST($1 AS INTEGER) IS NULL OR asleep = $1) AND (CAST($2 AS INTEGER) IS NULL OR dead = $2)";

    private const string SuspendedBySql = $"SELECT {Columns} FROM processes WHERE root_id = (SELECT root_id FROM nodes WHERE node_id = $0) AND suspended_by = $0 AND suspended = 1 AND dead = 0";

    private const string ChildrenSql = $"SELECT {Columns} FROM processes WHERE root_id = (SELECT root_id FROM processes WHERE id = $0) AND parent_id = $0";

    // Every lookup may be followed by a rewrite of what it found: in a write transaction it locks the rows it reads.
    private readonly string _getLockedSql = GetSql + dialect.RowLock;
    private readonly string _atLockedSql = AtSql + dialect.RowLock;
    private readonly string _suspendedByLockedSql = SuspendedBySql + dialect.RowLock;
    private readonly string _childrenLockedSql = ChildrenSql + dialect.RowLock;

    private SqlSession Session => tx.Session;

    private static ProcessRecord Map(ISqlRow r) => new(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4),
        Rows.Strings(r, 5), Rows.Bool(r, 6), Rows.Bool(r, 7), r.GetString(8), Rows.Bool(r, 9), r.GetInt32(10), r.GetInt32(11), r.GetInt64(12), r.GetInt32(13), r.GetString(14));

    public async ValueTask<ProcessRecord> GetAsync(long id) =>
        await Session.OneAsync(tx.LocksRows ? _getLockedSql : GetSql, Map, id).ConfigureAwait(false) ?? throw new NotFoundError($"process({id}) does not exist");

    public ValueTask<long> InsertAsync(ProcessRecord p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Session.InsertAsync(InsertSql, InsertArgs(p));
    }

    public async ValueTask<IReadOnlyList<long>> InsertAllAsync(IReadOnlyList<ProcessRecord> processes)
    {
        ArgumentNullException.ThrowIfNull(processes);
        return await Session.InsertAllAsync(InsertSql, [.. processes.Select(InsertArgs)]).ConfigureAwait(false);
    }

    private object?[] InsertArgs(ProcessRecord p) =>
        [p.RootPipelineId, p.ParentId, p.DestinationId, p.CurrentNodeId, tx.Json.Of(p.PipelineStack), p.Asleep, p.Suspended,
            p.SuspendedBy, p.Dead, p.NeedAck, p.AckNum, p.LastHeartbeat, p.Priority, p.Queue];

    public async ValueTask UpdateAsync(ProcessRecord p)
    {
        ArgumentNullException.ThrowIfNull(p);
        await Session.ExecuteLaterAsync(UpdateSql, null, p.Id, p.DestinationId, p.CurrentNodeId, tx.Json.Of(p.PipelineStack), p.Asleep, p.Suspended, p.SuspendedBy, p.Dead,
            p.NeedAck, p.AckNum, p.LastHeartbeat).ConfigureAwait(false);
    }

    public async ValueTask<bool> AcknowledgeChildAsync(long parentId)
    {
        var allArrived = await Session.QueryAsync(AcknowledgeSql, r => r.GetInt64(0) != 0, parentId).ConfigureAwait(false);
        return allArrived.Count == 1 ? allArrived[0] : throw new NotFoundError($"process({parentId}) does not exist");
    }

    public async ValueTask<IReadOnlyList<ProcessRecord>> GetAtAsync(string nodeId, bool? asleep, bool? dead) =>
        await Session.QueryAsync(tx.LocksRows ? _atLockedSql : AtSql, Map, nodeId, asleep, dead).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<ProcessRecord>> GetSuspendedByAsync(string id) =>
        await Session.QueryAsync(tx.LocksRows ? _suspendedByLockedSql : SuspendedBySql, Map, id).ConfigureAwait(false);

    public async ValueTask<IReadOnlyList<ProcessRecord>> GetChildrenAsync(long parentId) =>
        await Session.QueryAsync(tx.LocksRows ? _childrenLockedSql : ChildrenSql, Map, parentId).ConfigureAwait(false);
}
