using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Relational.Stores;

/// <summary>
/// The durable queue. Due times are on the store's clock (<see cref="SqlSession.Clock"/>). A task is held by the
/// worker named in lease_owner until that worker completes or gives it back, exits (hand back) or is reaped; every
/// write on a held task checks the holder, so a worker that lost a task cannot touch it.
/// </summary>
internal sealed class TaskStore(RelationalTransaction tx, SqlDialect dialect) : ITaskStore
{
    internal const string Columns = "id, kind, root_id, process_id, node_id, schedule_id, callback_id, version, requires, due_at, lease_owner, attempts";

    private const string InsertSql = "INSERT INTO tasks (kind, root_id, process_id, node_id, schedule_id, callback_id, version, requires, due_at, lease_owner, attempts) " +
        "VALUES ($0, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

    private const string CheckpointSql = "UPDATE tasks SET node_id = $1, schedule_id = $2, callback_id = $3, version = $4, requires = $5 WHERE id = $0 AND lease_owner = $6";
    private const string RequeueSql = "UPDATE tasks SET due_at = $1, attempts = $2, requires = $3, lease_owner = NULL WHERE id = $0 AND lease_owner = $4";
    private const string CompleteSql = "DELETE FROM tasks WHERE id = $0 AND lease_owner = $1";
    private const string ForRootSql = $"SELECT {Columns} FROM tasks WHERE root_id = $0 ORDER BY id";

    // $0 clock, $1 admit any requirement, $2 capabilities, $3 roots (null: all), $4 the new holder. A due task nobody
    // holds, oldest first, leased in the same statement; the partial index on unheld tasks orders them, the filters
    // skip what this worker cannot or should not run. Where several writers claim at once (not SQLite, whose writer is
    // single) the subquery passes over rows another is claiming, and the outer condition leaves a row alone that
    // another took meanwhile: the loser simply has no task this time.
    private readonly string _claimSql = $"UPDATE tasks SET lease_owner = $4, attempts = attempts + 1 WHERE lease_owner IS NULL AND id = (" +
        $"SELECT id FROM tasks WHERE lease_owner IS NULL AND due_at <= $0 " +
        $"AND (requires IS NULL OR $1 = 1 OR requires IN ({dialect.JsonStrings("$2")})) " +
        $"AND (CAST($3 AS TEXT) IS NULL OR root_id IN ({dialect.JsonStrings("$3")})) ORDER BY due_at, id LIMIT 1{dialect.ClaimLock}) RETURNING {Columns}";

    internal string NextDueSql { get; } = "SELECT MIN(due_at) FROM tasks WHERE lease_owner IS NULL " +
        $"AND (requires IS NULL OR $0 = 1 OR requires IN ({dialect.JsonStrings("$1")})) " +
        $"AND (CAST($2 AS TEXT) IS NULL OR root_id IN ({dialect.JsonStrings("$2")}))";

    private SqlSession Session => tx.Session;

    public long Clock => Session.Clock;

    internal static TaskRecord Map(ISqlRow r) => new(r.GetInt64(0), (TaskKind)r.GetInt32(1), r.GetString(2), r.GetInt64(3), r.GetString(4),
        Rows.NullableLong(r, 5), Rows.NullableLong(r, 6), Rows.NullableString(r, 7), Rows.NullableString(r, 8), r.GetInt64(9), Rows.NullableString(r, 10), r.GetInt32(11));

    /// <summary>The filter's arguments: admit-any flag, capabilities and roots as JSON arrays (roots null for all).</summary>
    internal object?[] FilterArgs(WorkFilter filter) =>
        [filter.AnyRequirement ? 1 : 0, tx.Json.Of(filter.Capabilities), filter.Roots is null ? null : tx.Json.Of(filter.Roots)];

    public ValueTask<long> EnqueueAsync(TaskRecord task, TimeSpan delay = default) => Session.InsertAsync(InsertSql, InsertArgs(task, delay));

    public async ValueTask AddAsync(TaskRecord task, TimeSpan delay = default) =>
        await Session.ExecuteLaterAsync(InsertSql, null, InsertArgs(task, delay)).ConfigureAwait(false);

    private object?[] InsertArgs(TaskRecord task, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(task);
        // A task stored already held (a fork's branch its worker follows itself) wakes no idle loop.
        if (task.LeaseOwner is null)
        {
            tx.EnqueuedCount++;
        }

        return [(int)task.Kind, task.RootId, task.ProcessId, task.NodeId, task.ScheduleId, task.CallbackDataId, task.Version,
            task.Requires, Session.Clock + (long)delay.TotalMilliseconds, task.LeaseOwner, task.Attempts];
    }

    public async ValueTask CheckpointAsync(TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        await Session.ExecuteLaterAsync(CheckpointSql, Held(task), task.Id, task.NodeId, task.ScheduleId, task.CallbackDataId, task.Version, task.Requires, task.LeaseOwner).ConfigureAwait(false);
    }

    public async ValueTask RequeueAsync(TaskRecord task, TimeSpan delay)
    {
        ArgumentNullException.ThrowIfNull(task);
        tx.EnqueuedCount++;
        await Session.ExecuteLaterAsync(RequeueSql, Held(task), task.Id, Session.Clock + (long)delay.TotalMilliseconds, task.Attempts, task.Requires, task.LeaseOwner).ConfigureAwait(false);
    }

    public async ValueTask CompleteAsync(TaskRecord task)
    {
        ArgumentNullException.ThrowIfNull(task);
        await Session.ExecuteLaterAsync(CompleteSql, Held(task), task.Id, task.LeaseOwner).ConfigureAwait(false);
    }

    // Every write on a held task must find it held by task.LeaseOwner: one row, or the lease was lost.
    private static RowCheck Held(TaskRecord task) => new(1, () => new LeaseLostException(task.Id, task.LeaseOwner));

    public async ValueTask<TaskRecord?> ClaimAsync(string owner, WorkFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        // One statement, one round trip: the row comes back as leased.
        return await Session.OneAsync(_claimSql, Map, [Session.Clock, .. FilterArgs(filter), owner]).ConfigureAwait(false);
    }

    public async ValueTask<IReadOnlyList<TaskRecord>> GetForRootAsync(string rootId) =>
        await Session.QueryAsync(ForRootSql, Map, rootId).ConfigureAwait(false);
}
