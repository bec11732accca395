using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Sqlite;

internal sealed partial class SqliteStepTransaction
{
    private const string ScheduleColumns = "id, type, process_id, node_id, version, finished, expired, scheduling, lock_owner, times";

    private static ScheduleRecord MapSchedule(SqliteStatement r) => new(r.GetInt64(0), r.GetInt32(1), r.GetInt64(2), r.GetString(3), r.GetString(4),
        r.GetInt64(5) != 0, r.GetInt64(6) != 0, r.GetInt64(7) != 0, NullableLong(r, 8), r.GetInt32(9));

    public ScheduleRecord? GetSchedule(long id) => One($"SELECT {ScheduleColumns} FROM schedules WHERE id = $0", MapSchedule, id);

    public ScheduleRecord? GetSchedule(string nodeId, string version) =>
        One($"SELECT {ScheduleColumns} FROM schedules WHERE node_id = $0 AND version = $1", MapSchedule, nodeId, version);

    public ScheduleRecord? GetLatestSchedule(string nodeId) =>
        One($"SELECT {ScheduleColumns} FROM schedules WHERE node_id = $0 ORDER BY id DESC LIMIT 1", MapSchedule, nodeId);

    public long InsertSchedule(ScheduleRecord s) =>
        Insert("INSERT INTO schedules (type, process_id, node_id, version, finished, expired, scheduling, lock_owner, times) VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8)",
            s.Type, s.ProcessId, s.NodeId, s.Version, s.Finished, s.Expired, s.Scheduling, s.LockOwner, s.Times);

    public void UpdateSchedule(ScheduleRecord s) =>
        Exec("UPDATE schedules SET finished = $1, expired = $2, scheduling = $3, lock_owner = $4, times = $5 WHERE id = $0",
            s.Id, s.Finished, s.Expired, s.Scheduling, s.LockOwner, s.Times);

    public long InsertCallbackData(string nodeId, string version, JsonObject data) =>
        Insert("INSERT INTO callback_data (node_id, version, data) VALUES ($0, $1, $2)", nodeId, version, _json.Of(data));

    public CallbackDataRecord? GetCallbackData(long id) =>
        One("SELECT id, node_id, version, data FROM callback_data WHERE id = $0", r => new CallbackDataRecord(r.GetInt64(0), r.GetString(1), r.GetString(2), Obj(r, 3)), id);

    public void AddHistory(HistoryRecord h) =>
        Exec("INSERT INTO histories (node_id, loop, retry, skip, version, started_time, archived_time, inputs, outputs) VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8)",
            h.NodeId, h.Loop, h.Retry, h.Skip, h.Version, h.StartedTime, h.ArchivedTime, _json.Of(h.Inputs), _json.Of(h.Outputs));

    public IReadOnlyList<HistoryRecord> GetHistories(string nodeId, int loop = -1) =>
        Query("SELECT id, node_id, loop, retry, skip, version, started_time, archived_time, inputs, outputs FROM histories WHERE node_id = $0 AND ($1 = -1 OR loop = $1) ORDER BY id",
            r => new HistoryRecord(r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3), r.GetInt64(4) != 0, r.GetString(5), NullableLong(r, 6), NullableLong(r, 7), Obj(r, 8), Obj(r, 9)),
            nodeId, loop);

    private const string TaskColumns = "id, kind, process_id, node_id, schedule_id, callback_id, version, due_at, lease_owner, lease_until, attempts";

    private static TaskRecord MapTask(SqliteStatement r) => new(r.GetInt64(0), (TaskKind)r.GetInt32(1), r.GetInt64(2), r.GetString(3),
        NullableLong(r, 4), NullableLong(r, 5), r.IsNull(6) ? null : r.GetString(6), r.GetInt64(7), r.IsNull(8) ? null : r.GetString(8), NullableLong(r, 9), r.GetInt32(10));

    public long Enqueue(TaskRecord t)
    {
        // A task stored already leased (a fork's branch its worker follows itself) wakes no idle loop.
        if (t.LeaseOwner is null)
        {
            EnqueuedCount++;
        }

        return Insert("INSERT INTO tasks (kind, process_id, node_id, schedule_id, callback_id, version, due_at, lease_owner, lease_until, attempts) VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9)",
            (int)t.Kind, t.ProcessId, t.NodeId, t.ScheduleId, t.CallbackDataId, t.Version, t.DueAt, t.LeaseOwner, t.LeaseUntil, t.Attempts);
    }

    public void UpdateTask(TaskRecord t) =>
        Owned(t, Exec("UPDATE tasks SET node_id = $1, schedule_id = $2, callback_id = $3, version = $4 WHERE id = $0 AND lease_owner IS $5",
            t.Id, t.NodeId, t.ScheduleId, t.CallbackDataId, t.Version, t.LeaseOwner));

    public void RequeueTask(TaskRecord t, long dueAt)
    {
        EnqueuedCount++;
        Owned(t, Exec("UPDATE tasks SET due_at = $1, attempts = $2, lease_owner = NULL, lease_until = NULL WHERE id = $0 AND lease_owner IS $3",
            t.Id, dueAt, t.Attempts, t.LeaseOwner));
    }

    public void CompleteTask(TaskRecord t) => Owned(t, Exec("DELETE FROM tasks WHERE id = $0 AND lease_owner IS $1", t.Id, t.LeaseOwner));

    private static void Owned(TaskRecord t, int rows)
    {
        if (rows != 1)
        {
            throw new Engine.Exceptions.LeaseLostException(t.Id, t.LeaseOwner);
        }
    }

    // A due task nobody holds first; otherwise one whose holder's lease lapsed (its worker died). Each side has its
    // own partial index, so neither probe walks past the tasks that are in progress.
    // Read, then lease by id: the write lock is held, so nothing can take the task in between, and a plain UPDATE is
    // cheaper than UPDATE ... RETURNING (which buffers its rows). A worker never takes over a lapsed lease of its own:
    // it is alive (it is claiming), so its renewal is only late and the task is still being followed; taking it again
    // under the same owner would let two followers pass each other's lease checks.
    public TaskRecord? ClaimTask(string owner, long leaseMs)
    {
        var task = One($"SELECT {TaskColumns} FROM tasks WHERE id = COALESCE(" +
            "(SELECT id FROM tasks WHERE lease_owner IS NULL AND due_at <= $0 ORDER BY due_at, id LIMIT 1), " +
            "(SELECT id FROM tasks WHERE lease_owner IS NOT NULL AND lease_until < $0 AND lease_owner <> $1 ORDER BY lease_until LIMIT 1))",
            MapTask, Now, owner);
        if (task is null)
        {
            return null;
        }

        var leased = task with { LeaseOwner = owner, LeaseUntil = Now + leaseMs, Attempts = task.Attempts + 1 };
        Exec("UPDATE tasks SET lease_owner = $1, lease_until = $2, attempts = $3 WHERE id = $0", leased.Id, leased.LeaseOwner, leased.LeaseUntil, leased.Attempts);
        return leased;
    }

    public int Renew(string owner, long leaseMs) => Exec("UPDATE tasks SET lease_until = $1 WHERE lease_owner = $0", owner, Now + leaseMs);

    public long? NextDueAt()
    {
        // A held task can only be taken over when its lease lapses; it was due when it was claimed.
        var due = Query("SELECT MIN(at) FROM (SELECT MIN(due_at) AS at FROM tasks WHERE lease_owner IS NULL UNION ALL SELECT MIN(lease_until) FROM tasks WHERE lease_owner IS NOT NULL)",
            r => r.IsNull(0) ? (long?)null : r.GetInt64(0));
        return due.FirstOrDefault();
    }
}
