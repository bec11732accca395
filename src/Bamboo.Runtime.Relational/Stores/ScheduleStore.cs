using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Relational.Stores;

/// <summary>Schedules, callback payloads and histories.</summary>
internal sealed class ScheduleStore(RelationalTransaction tx, SqlDialect dialect) : IScheduleStore
{
    private const string Columns = "id, type, process_id, node_id, version, finished, expired, scheduling, lock_owner, times";
    private const string GetSql = $"SELECT {Columns} FROM schedules WHERE id = $0";
    private const string GetByVersionSql = $"SELECT {Columns} FROM schedules WHERE node_id = $0 AND version = $1";
    private const string LatestSql = $"SELECT {Columns} FROM schedules WHERE node_id = $0 ORDER BY id DESC LIMIT 1";
    private const string InsertSql = "INSERT INTO schedules (type, process_id, node_id, version, finished, expired, scheduling, lock_owner, times) VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8)";
    private const string UpdateSql = "UPDATE schedules SET finished = $1, expired = $2, scheduling = $3, lock_owner = $4, times = $5 WHERE id = $0";
    private const string InsertCallbackSql = "INSERT INTO callback_data (node_id, version, data) VALUES ($0, $1, $2)";
    private const string CallbackSql = "SELECT id, node_id, version, data FROM callback_data WHERE id = $0";

    private const string AddHistorySql = "INSERT INTO histories (node_id, loop, retry, skip, version, started_time, archived_time, inputs, outputs) VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8)";

    private const string HistoriesSql = "SELECT id, node_id, loop, retry, skip, version, started_time, archived_time, inputs, outputs FROM histories " +
        "WHERE node_id = $0 AND ($1 = -1 OR loop = $1) ORDER BY id";

    // The schedule routine reads a schedule by id to rewrite it whole (its lock, its times), then its process: in a
    // write transaction that lookup locks the row. Lookups by node lock nothing: their callers lock the node's process
    // first, and taking the two in both orders would deadlock.
    private readonly string _getLockedSql = GetSql + dialect.RowLock;

    private SqlSession Session => tx.Session;

    private static ScheduleRecord Map(ISqlRow r) => new(r.GetInt64(0), r.GetInt32(1), r.GetInt64(2), r.GetString(3), r.GetString(4),
        Rows.Bool(r, 5), Rows.Bool(r, 6), Rows.Bool(r, 7), Rows.NullableLong(r, 8), r.GetInt32(9));

    public ValueTask<ScheduleRecord?> GetAsync(long id) => Session.OneAsync(tx.LocksRows ? _getLockedSql : GetSql, Map, id);

    public ValueTask<ScheduleRecord?> GetAsync(string nodeId, string version) => Session.OneAsync(GetByVersionSql, Map, nodeId, version);

    public ValueTask<ScheduleRecord?> GetLatestAsync(string nodeId) => Session.OneAsync(LatestSql, Map, nodeId);

    public ValueTask<long> InsertAsync(ScheduleRecord s)
    {
        ArgumentNullException.ThrowIfNull(s);
        return Session.InsertAsync(InsertSql, s.Type, s.ProcessId, s.NodeId, s.Version, s.Finished, s.Expired, s.Scheduling, s.LockOwner, s.Times);
    }

    public async ValueTask UpdateAsync(ScheduleRecord s)
    {
        ArgumentNullException.ThrowIfNull(s);
        await Session.ExecuteLaterAsync(UpdateSql, null, s.Id, s.Finished, s.Expired, s.Scheduling, s.LockOwner, s.Times).ConfigureAwait(false);
    }

    public ValueTask<long> InsertCallbackDataAsync(string nodeId, string version, JsonObject data) =>
        Session.InsertAsync(InsertCallbackSql, nodeId, version, tx.Json.Of(data));

    public ValueTask<CallbackDataRecord?> GetCallbackDataAsync(long id) =>
        Session.OneAsync(CallbackSql, r => new CallbackDataRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), Rows.Object(r, 3)), id);

    public async ValueTask AddHistoryAsync(HistoryRecord h)
    {
        ArgumentNullException.ThrowIfNull(h);
        await Session.ExecuteLaterAsync(AddHistorySql, null, h.NodeId, h.Loop, h.Retry, h.Skip, h.Version, h.StartedTime, h.ArchivedTime, tx.Json.Of(h.Inputs), tx.Json.Of(h.Outputs)).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<HistoryRecord>> GetHistoriesAsync(string nodeId, int loop = -1) =>
        await Session.QueryAsync(HistoriesSql, r => new HistoryRecord(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3), Rows.Bool(r, 4), r.GetString(5),
            Rows.NullableLong(r, 6), Rows.NullableLong(r, 7), Rows.Object(r, 8), Rows.Object(r, 9)), nodeId, loop).ConfigureAwait(false);
}
