using System.Text.Json;
using System.Text.Json.Nodes;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>The store operations of one transaction; commands are prepared once and reused across transactions.</summary>
internal sealed partial class SqliteStepTransaction(SqliteConnection connection, TimeProvider time) : IStepTransaction, IDisposable
{
    // Keyed by the SQL string object: every statement is a literal, so the lookup never hashes a long string.
    // A string built at run time falls back to a lookup by value and is not cached under its new reference.
    private readonly Dictionary<string, SqliteStatement> _statements = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, SqliteStatement> _statementsByText = [];
    private bool _open;
    private readonly JsonText _json = new();

    // The writes of this transaction so far, to replay when later work fails (UndoTo). JSON is bound as UTF-8 text
    // made by _json, never as the caller's objects, so what is replayed is what was written.
    private readonly List<(SqliteStatement Statement, object?[] Args)> _replay = [];
    private bool _recording;

    // A node's execution data lives in its state row (schema 0004). A step usually records its data before its
    // state, so the data waits here and is written by the same statement as the state; data whose state is not
    // written by the same work is written on its own when the work ends (WritePendingData). Kept as UTF-8 JSON:
    // the caller may change its objects after handing them over.
    private readonly Dictionary<string, (byte[] Inputs, byte[] Outputs)> _pendingData = [];

    /// <summary>Tasks made due by this transaction (new or requeued), to wake as many idle loops.</summary>
    public int EnqueuedCount { get; private set; }

    public long Now { get; private set; }

    // Transactions are driven with our own prepared BEGIN/COMMIT/ROLLBACK statements: SqliteTransaction would
    // prepare a fresh statement for each of them on every step, which costs more than the step's own writes.
    public void Begin(bool write)
    {
        EnqueuedCount = 0;
        _pendingData.Clear();
        _replay.Clear();
        _recording = write;
        Now = time.GetUtcNow().ToUnixTimeMilliseconds();
        Control(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
        _open = true;
    }

    public void Commit()
    {
        Control("COMMIT");
        _open = false;
    }

    public void Rollback()
    {
        if (_open)
        {
            _open = false;
            Control("ROLLBACK");
        }
    }

    /// <summary>
    /// Runs one caller's work and writes its pending data; an exception is kept for its caller, and only that caller's
    /// writes are undone (the callers before it in the same commit keep theirs).
    /// </summary>
    public void Run(PendingTransaction pending)
    {
        var mark = _replay.Count;
        try
        {
            Now = time.GetUtcNow().ToUnixTimeMilliseconds();
            pending.Run(this);
            WritePendingData();
        }
        catch (Exception ex)
        {
            pending.Error = ex;
            _pendingData.Clear();
            UndoTo(mark);
        }
    }

    public T Isolated<T>(Func<T> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var pendingBefore = _pendingData.Count == 0 ? null : new Dictionary<string, (byte[] Inputs, byte[] Outputs)>(_pendingData);
        var mark = _replay.Count;
        try
        {
            return work();
        }
        catch
        {
            UndoTo(mark);
            _pendingData.Clear();
            foreach (var (nodeId, data) in pendingBefore ?? [])
            {
                _pendingData[nodeId] = data;
            }

            throw;
        }
    }

    /// <summary>
    /// Undoes every write made since the first <paramref name="mark"/> writes of this transaction. A savepoint around
    /// each caller and each isolated piece of work did this at a price paid by every step (about a tenth of the
    /// writer's time with 30 callers a commit: a savepoint copies every page its work touches). Failures are rare,
    /// so instead the transaction rolls back and the writes before the mark are replayed: the same statements with
    /// the same values, in the same order, on the same starting state, give the same rows and ids their callers
    /// already hold. No caller's code runs twice. Should the replay fail, the exception fails the whole commit, as any
    /// failure of the transaction itself does.
    /// </summary>
    private void UndoTo(int mark)
    {
        if (!_recording)
        {
            return; // a read transaction: nothing to undo
        }

        _replay.RemoveRange(mark, _replay.Count - mark);
        // SQLite rolls a transaction back by itself after some errors (a full disk, an I/O error).
        if (SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0)
        {
            Control("ROLLBACK");
        }

        Control("BEGIN IMMEDIATE");
        foreach (var (statement, args) in _replay)
        {
            statement.Bind(args);
            statement.Execute();
        }
    }

    public void Dispose()
    {
        _json.Dispose();
        foreach (var statement in _statementsByText.Values)
        {
            statement.Dispose();
        }
    }

    private SqliteStatement Statement(string sql, object?[] args)
    {
        if (!_statements.TryGetValue(sql, out var statement) && !_statementsByText.TryGetValue(sql, out statement))
        {
            statement = new SqliteStatement(connection.Handle!, sql);
            _statementsByText[sql] = statement;
            if (ReferenceEquals(string.IsInterned(sql), sql))
            {
                _statements[sql] = statement;
            }
        }

        statement.Bind(args);
        return statement;
    }

    private int Exec(string sql, params object?[] args)
    {
        var statement = Statement(sql, args);
        var changed = statement.Execute();
        Recorded(statement, args);
        return changed;
    }

    /// <summary>Transaction control: never kept for replay.</summary>
    private void Control(string sql) => Statement(sql, []).Execute();

    /// <summary>Keeps a write that succeeded for replay (<see cref="UndoTo"/>).</summary>
    private void Recorded(SqliteStatement statement, object?[] args)
    {
        if (_recording && statement.Writes)
        {
            _replay.Add((statement, args));
        }
    }

    /// <summary>Runs an INSERT and returns the new row's id (not RETURNING, which buffers its output in a temporary table).</summary>
    private long Insert(string sql, params object?[] args)
    {
        Exec(sql, args);
        return SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);
    }

    private List<T> Query<T>(string sql, Func<SqliteStatement, T> map, params object?[] args)
    {
        var statement = Statement(sql, args);
        var list = new List<T>();
        try
        {
            while (statement.Step())
            {
                list.Add(map(statement));
            }
        }
        finally
        {
            statement.Reset();
        }

        Recorded(statement, args);
        return list;
    }

    private T? One<T>(string sql, Func<SqliteStatement, T> map, params object?[] args)
        where T : class => Query(sql, map, args).FirstOrDefault();

    private static JsonObject Obj(SqliteStatement r, int i) => r.IsNull(i) ? [] : JsonNode.Parse(r.GetString(i)) as JsonObject ?? [];

    private static long? NullableLong(SqliteStatement r, int i) => r.IsNull(i) ? null : r.GetInt64(i);

    public RunRecord? GetRun(string rootId) =>
        One("SELECT root_id, tree, cycle_tolerate, root_data, created_at FROM runs WHERE root_id = $0",
            r => new RunRecord(r.GetString(0), r.GetString(1), r.GetInt64(2) != 0, Obj(r, 3), r.GetInt64(4)), rootId);

    public string? InsertRun(RunRecord run, IReadOnlyCollection<string> nodeIds)
    {
        // One statement for the whole id list: preparing a 1000-node run must not cost 1000 round trips. OR IGNORE: a
        // multi-row insert that may fail half-way keeps a statement journal, a copy of every page it touches (spilled to
        // a temporary file past 64 KiB); without one the insert took half the time. A taken id shows instead as a row
        // not inserted; the insert is then undone like failed work, and only then is the id looked up.
        var ids = _json.Of(nodeIds);
        var mark = _replay.Count;
        if (Exec("INSERT OR IGNORE INTO nodes (node_id, root_id) SELECT value, $1 FROM json_each($0)", ids, run.RootId) < nodeIds.Count)
        {
            UndoTo(mark);
            // The root first: a run that already exists is reported as such, not by one of its node ids.
            return One("SELECT node_id FROM nodes WHERE node_id IN (SELECT value FROM json_each($0)) ORDER BY node_id = $1 DESC LIMIT 1", r => r.GetString(0), ids, run.RootId)
                ?? throw new ArgumentException($"run {run.RootId}: its node ids are not unique", nameof(nodeIds));
        }

        Exec("INSERT INTO runs (root_id, tree, cycle_tolerate, root_data, created_at) VALUES ($0, $1, $2, $3, $4)", run.RootId, run.TreeJson, run.CycleTolerate, _json.Of(run.RootPipelineData), run.CreatedAt);
        return null;
    }

    public string? GetNodeRoot(string nodeId) => One("SELECT root_id FROM nodes WHERE node_id = $0", r => r.GetString(0), nodeId);

    private const string StateColumns = "node_id, root_id, parent_id, name, version, loop, inner_loop, retry, skip, error_ignored, created_time, started_time, archived_time";

    private static StateRecord MapState(SqliteStatement r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
        r.GetInt32(5), r.GetInt32(6), r.GetInt32(7), r.GetInt64(8) != 0, r.GetInt64(9) != 0, r.GetInt64(10), NullableLong(r, 11), NullableLong(r, 12));

    public StateRecord? GetState(string nodeId) => One($"SELECT {StateColumns} FROM states WHERE node_id = $0", MapState, nodeId);

    // Point lookups joined by UNION ALL for small lists, prepared once per length: an IN list would first build a
    // temporary b-tree of its values, which costs more than the lookups. Longer lists go through json_each.
    private static readonly string[] StatesInSql = [.. Enumerable.Range(1, 8).Select(n =>
        string.Intern(string.Join(" UNION ALL ", Enumerable.Range(0, n).Select(i => $"SELECT {StateColumns} FROM states WHERE node_id = ${i}"))))];

    public IReadOnlyList<StateRecord> GetStates(IReadOnlyList<string> nodeIds)
    {
        ArgumentNullException.ThrowIfNull(nodeIds);
        return nodeIds.Count switch
        {
            0 => [],
            <= 8 => Query(StatesInSql[nodeIds.Count - 1], MapState, [.. nodeIds]),
            _ => Query($"SELECT {StateColumns} FROM states WHERE node_id IN (SELECT value FROM json_each($0))", MapState, _json.Of(nodeIds)),
        };
    }

    // The node, then each stack entry only if it stops a walk: on the common path one row (or none) is mapped.
    private static readonly string[] StepStatesSql = [.. Enumerable.Range(0, 8).Select(depth => string.Intern(
        string.Join(" UNION ALL ", Enumerable.Range(0, depth + 1).Select(i => i == 0
            ? $"SELECT {StateColumns} FROM states WHERE node_id = $0"
            : $"SELECT {StateColumns} FROM states WHERE node_id = ${i} AND name IN ('{NodeState.Revoked}', '{NodeState.Suspended}')"))))];

    public (StateRecord? Node, IReadOnlyList<StateRecord> Stopping) GetStepStates(string nodeId, IReadOnlyList<string> stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var rows = stack.Count < StepStatesSql.Length
            ? Query(StepStatesSql[stack.Count], MapState, [nodeId, .. stack])
            : Query($"SELECT {StateColumns} FROM states WHERE node_id = $0 UNION ALL SELECT {StateColumns} FROM states " +
                $"WHERE node_id IN (SELECT value FROM json_each($1)) AND name IN ('{NodeState.Revoked}', '{NodeState.Suspended}')", MapState, nodeId, _json.Of(stack));
        StateRecord? node = null;
        var stopping = new List<StateRecord>(0);
        foreach (var row in rows)
        {
            if (row.NodeId == nodeId)
            {
                node = row;
            }
            else
            {
                stopping.Add(row);
            }
        }

        return (node, stopping);
    }

    public void InsertState(StateRecord s)
    {
        _pendingData.Remove(s.NodeId, out var data);
        Exec($"INSERT INTO states ({StateColumns}, inputs, outputs) VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            s.NodeId, s.RootId, s.ParentId, s.Name, s.Version, s.Loop, s.InnerLoop, s.Retry, s.Skip, s.ErrorIgnored, s.CreatedTime, s.StartedTime, s.ArchivedTime,
            data.Inputs, data.Outputs);
    }

    public bool UpdateState(StateRecord s, string expectedVersion)
    {
        // Data recorded in this work is written with the state; without any, the stored data stays (NULL binds keep it).
        var hasData = _pendingData.Remove(s.NodeId, out var data);
        var written = Exec("UPDATE states SET root_id = $1, parent_id = $2, name = $3, version = $4, loop = $5, inner_loop = $6, retry = $7, skip = $8, error_ignored = $9, " +
            "started_time = $10, archived_time = $11, inputs = COALESCE($13, inputs), outputs = COALESCE($14, outputs) WHERE node_id = $0 AND version = $12",
            s.NodeId, s.RootId, s.ParentId, s.Name, s.Version, s.Loop, s.InnerLoop, s.Retry, s.Skip, s.ErrorIgnored, s.StartedTime, s.ArchivedTime, expectedVersion, data.Inputs, data.Outputs) == 1;
        if (hasData && !written)
        {
            // Not written with this state: it still waits for the node's next write.
            _pendingData[s.NodeId] = data;
        }

        return written;
    }

    public void ResetInnerLoop(IReadOnlyCollection<string> nodeIds) =>
        Exec("UPDATE states SET inner_loop = 0 WHERE node_id IN (SELECT value FROM json_each($0))", _json.Of(nodeIds));

    private const string ProcessColumns = "id, root_id, parent_id, destination_id, current_node_id, stack, asleep, suspended, suspended_by, dead, need_ack, ack_num, heartbeat, priority, queue";

    private static ProcessRecord MapProcess(SqliteStatement r) => new(r.GetInt64(0), r.GetString(1), r.GetInt64(2), r.GetString(3), r.GetString(4),
        JsonSerializer.Deserialize<List<string>>(r.GetString(5)) ?? [], r.GetInt64(6) != 0, r.GetInt64(7) != 0, r.GetString(8), r.GetInt64(9) != 0,
        r.GetInt32(10), r.GetInt32(11), r.GetInt64(12), r.GetInt32(13), r.GetString(14));

    public ProcessRecord GetProcess(long id) =>
        One($"SELECT {ProcessColumns} FROM processes WHERE id = $0", MapProcess, id) ?? throw new Engine.Exceptions.NotFoundError($"process({id}) does not exist");

    public long InsertProcess(ProcessRecord p) =>
        Insert("INSERT INTO processes (root_id, parent_id, destination_id, current_node_id, stack, asleep, suspended, suspended_by, dead, need_ack, ack_num, heartbeat, priority, queue) VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            p.RootPipelineId, p.ParentId, p.DestinationId, p.CurrentNodeId, _json.Of(p.PipelineStack), p.Asleep, p.Suspended, p.SuspendedBy, p.Dead, p.NeedAck, p.AckNum, p.LastHeartbeat, p.Priority, p.Queue);

    // One statement instead of read-modify-write: SET expressions all see the row before the update.
    public bool AcknowledgeChild(long parentId)
    {
        var allArrived = Query("UPDATE processes SET ack_num = CASE WHEN ack_num + 1 >= need_ack THEN 0 ELSE ack_num + 1 END, " +
            "need_ack = CASE WHEN ack_num + 1 >= need_ack THEN -1 ELSE need_ack END WHERE id = $0 RETURNING need_ack = -1",
            r => r.GetInt64(0) != 0, parentId);
        return allArrived.Count == 1 ? allArrived[0] : throw new Engine.Exceptions.NotFoundError($"process({parentId}) does not exist");
    }

    public void UpdateProcess(ProcessRecord p) =>
        Exec("UPDATE processes SET destination_id = $1, current_node_id = $2, stack = $3, asleep = $4, suspended = $5, suspended_by = $6, dead = $7, need_ack = $8, ack_num = $9, heartbeat = $10 WHERE id = $0",
            p.Id, p.DestinationId, p.CurrentNodeId, _json.Of(p.PipelineStack), p.Asleep, p.Suspended, p.SuspendedBy, p.Dead, p.NeedAck, p.AckNum, p.LastHeartbeat);

    // Processes are indexed by run only (schema 0005): root_id never changes, so the per-step process updates touch
    // no index. The lookups below (operator calls, not steps) scan the processes of one run.
    public IReadOnlyList<ProcessRecord> GetProcessesAt(string nodeId, bool? asleep, bool? dead) =>
        Query($"SELECT {ProcessColumns} FROM processes WHERE root_id = (SELECT root_id FROM nodes WHERE node_id = $0) AND current_node_id = $0 AND ($1 IS NULL OR asleep = $1) AND ($2 IS NULL OR dead = $2)",
            MapProcess, nodeId, asleep, dead);

    public IReadOnlyList<ProcessRecord> GetProcessesSuspendedBy(string id) =>
        Query($"SELECT {ProcessColumns} FROM processes WHERE root_id = (SELECT root_id FROM nodes WHERE node_id = $0) AND suspended_by = $0 AND suspended = 1 AND dead = 0", MapProcess, id);

    public IReadOnlyList<ProcessRecord> GetChildren(long parentId) =>
        Query($"SELECT {ProcessColumns} FROM processes WHERE root_id = (SELECT root_id FROM processes WHERE id = $0) AND parent_id = $0", MapProcess, parentId);

    public JsonObject? GetRawInputsOverride(string nodeId) => One("SELECT inputs FROM raw_inputs WHERE node_id = $0", r => Obj(r, 0), nodeId);

    public void SetRawInputsOverride(string nodeId, JsonObject inputs) =>
        Exec("INSERT INTO raw_inputs (node_id, inputs) VALUES ($0, $1) ON CONFLICT (node_id) DO UPDATE SET inputs = excluded.inputs", nodeId, _json.Of(inputs));

    public ExecutionDataRecord? GetExecutionData(string nodeId) =>
        _pendingData.TryGetValue(nodeId, out var pending)
            ? new ExecutionDataRecord(nodeId, JsonNode.Parse(pending.Inputs)!.AsObject(), JsonNode.Parse(pending.Outputs)!.AsObject())
            : One("SELECT node_id, inputs, outputs FROM states WHERE node_id = $0 AND inputs IS NOT NULL", r => new ExecutionDataRecord(r.GetString(0), Obj(r, 1), Obj(r, 2)), nodeId);

    public void SetExecutionData(ExecutionDataRecord d)
    {
        ArgumentNullException.ThrowIfNull(d);
        _pendingData[d.NodeId] = (_json.Of(d.Inputs), _json.Of(d.Outputs));
    }

    private void WritePendingData()
    {
        foreach (var (nodeId, data) in _pendingData)
        {
            if (Exec("UPDATE states SET inputs = $1, outputs = $2 WHERE node_id = $0", nodeId, data.Inputs, data.Outputs) != 1)
            {
                throw new InvalidOperationException($"node {nodeId}: execution data is stored with the node's state, and the node has no state");
            }
        }

        _pendingData.Clear();
    }

    private static ContextValue MapContext(SqliteStatement r) => new(r.GetString(0), (ContextValueType)r.GetInt32(1),
        r.IsNull(2) ? null : JsonNode.Parse(r.GetString(2)), r.GetString(3), JsonSerializer.Deserialize<List<string>>(r.GetString(4)) ?? []);

    public IReadOnlyList<ContextValue> GetContextValues(string pipelineId, IEnumerable<string>? keys = null)
    {
        if (keys is null)
        {
            return Query("SELECT key, type, value, code, refs FROM context_values WHERE pipeline_id = $0 ORDER BY key", MapContext, pipelineId);
        }

        var list = new List<ContextValue>();
        foreach (var key in keys)
        {
            var v = One("SELECT key, type, value, code, refs FROM context_values WHERE pipeline_id = $0 AND key = $1", MapContext, pipelineId, key);
            if (v is not null)
            {
                list.Add(v);
            }
        }

        return list;
    }

    public void UpsertContextValue(string pipelineId, ContextValue v) =>
        Exec("INSERT INTO context_values (pipeline_id, key, type, value, code, refs) VALUES ($0, $1, $2, $3, $4, $5) ON CONFLICT (pipeline_id, key) DO UPDATE SET type = excluded.type, value = excluded.value, code = excluded.code, refs = excluded.refs",
            pipelineId, v.Key, (int)v.Type, v.Value is null ? "null"u8.ToArray() : _json.Of(v.Value), v.Code, _json.Of(v.References));
}
