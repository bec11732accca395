using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Relational;

/// <summary>
/// The workers table and the hand-back of their tasks, over any relational store. Its writes run alone, never in a
/// shared commit: a beat held up behind other steps would get a live worker declared dead.
/// </summary>
internal sealed class WorkerRegistry(RelationalStore store) : IWorkerRegistry
{
    private const string RegisterSql = "INSERT INTO workers (owner, beat, lease_ms, started_at) VALUES ($0, 0, $1, $2) ON CONFLICT (owner) DO UPDATE SET lease_ms = excluded.lease_ms";
    private const string BeatSql = "UPDATE workers SET beat = beat + 1 WHERE owner = $0";
    private const string ListSql = "SELECT owner, beat, lease_ms FROM workers";
    private const string RemoveSql = "DELETE FROM workers WHERE owner = $0 AND beat = $1";
    private const string LeaveSql = "DELETE FROM workers WHERE owner = $0";
    private const string RunningSql = "SELECT COUNT(*) FROM tasks WHERE lease_owner = $0 AND version IS NOT NULL";
    private const string HeldByOthersSql = "SELECT COUNT(*) FROM tasks WHERE lease_owner IS NOT NULL AND lease_owner <> $0";

    // Due at once (a task given back keeps an earlier due time): the next worker takes them without waiting. Every
    // release takes the worker's name as $0 and the store's clock as $1.
    private const string ReleaseTasks = "UPDATE tasks SET lease_owner = NULL, due_at = CASE WHEN due_at < $1 THEN due_at ELSE $1 END WHERE ";
    private const string ReleaseSql = ReleaseTasks + "lease_owner = $0";

    // A reap passes over the dead worker's tasks that its still-open transaction has locked: waiting for them would
    // hold up the reaper's beats, and deadlock with that transaction once the worker goes on. Those tasks are left
    // under the dead name when that transaction commits, and the next beat's sweep releases them (OrphansSql).
    private static string ReapReleaseSql(SqlDialect dialect) => $"{ReleaseTasks}id IN (SELECT id FROM tasks WHERE lease_owner = $0{dialect.ClaimLock})";

    public Task RegisterAsync(string owner, TimeSpan lease, CancellationToken cancellationToken = default) =>
        store.WriteAloneSqlAsync(async tx =>
        {
            await tx.Session.ExecuteAsync(RegisterSql, owner, (long)lease.TotalMilliseconds, tx.Now).ConfigureAwait(false);
            return 0;
        }, cancellationToken);

    // Tasks held under a name the registry no longer has: a claim that committed after its worker was reaped (the
    // claim's transaction was still open when the reaper released that worker's tasks). Nobody would reap them again.
    // The beating worker ($0) is in the registry, so its own tasks never match.
    private const string OrphansSql = ReleaseTasks +
        "lease_owner IS NOT NULL AND lease_owner <> $0 AND NOT EXISTS (SELECT 1 FROM workers WHERE workers.owner = tasks.lease_owner)";

    /// <summary>Beats, and gives back to the queue the tasks held under names no worker has any more (see <see cref="OrphansSql"/>).</summary>
    public Task<bool> HeartbeatAsync(string owner, CancellationToken cancellationToken = default) =>
        store.WriteAloneSqlAsync(async tx =>
        {
            if (await tx.Session.ExecuteAsync(BeatSql, owner).ConfigureAwait(false) != 1)
            {
                return false;
            }

            tx.EnqueuedCount += await tx.Session.ExecuteAsync(OrphansSql, owner, tx.Session.Clock).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<WorkerBeat>> ListAsync(CancellationToken cancellationToken = default) =>
        await store.ReadSqlAsync(async tx => await tx.Session.QueryAsync(ListSql,
            r => new WorkerBeat(r.GetString(0), r.GetInt64(1), TimeSpan.FromMilliseconds(r.GetInt64(2)))).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    public Task<int> ReapAsync(string owner, long beat, CancellationToken cancellationToken = default) =>
        store.WriteAloneSqlAsync(async tx =>
        {
            // Fenced on the beat last seen: a worker that beat meanwhile is alive and keeps its tasks.
            if (await tx.Session.ExecuteAsync(RemoveSql, owner, beat).ConfigureAwait(false) != 1)
            {
                return 0;
            }

            var released = await tx.Session.ExecuteAsync(ReapReleaseSql(tx.Dialect), owner, tx.Session.Clock).ConfigureAwait(false);
            tx.EnqueuedCount += released;
            return released;
        }, cancellationToken);

    public Task<HandBack> HandBackAsync(string owner, CancellationToken cancellationToken = default) =>
        store.WriteAloneSqlAsync(async tx =>
        {
            var running = (await tx.Session.QueryAsync(RunningSql, r => r.GetInt64(0), owner).ConfigureAwait(false))[0];
            var released = await tx.Session.ExecuteAsync(ReleaseSql, owner, tx.Session.Clock).ConfigureAwait(false);
            await tx.Session.ExecuteAsync(LeaveSql, owner).ConfigureAwait(false);
            tx.EnqueuedCount += released;
            return new HandBack(released, (int)running);
        }, cancellationToken);

    public async Task<int> CountHeldByOthersAsync(string owner, CancellationToken cancellationToken = default) =>
        (int)await store.ReadSqlAsync(async tx => (await tx.Session.QueryAsync(HeldByOthersSql, r => r.GetInt64(0), owner).ConfigureAwait(false))[0], cancellationToken).ConfigureAwait(false);
}
