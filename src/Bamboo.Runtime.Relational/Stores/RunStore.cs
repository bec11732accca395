using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Relational.Stores;

/// <summary>Runs (trees as started) and the index of node ids to runs.</summary>
internal sealed class RunStore(RelationalTransaction tx, SqlDialect dialect) : IRunStore
{
    private const string GetSql = "SELECT root_id, tree, cycle_tolerate, root_data, created_at, name FROM runs WHERE root_id = $0";
    private const string InsertSql = "INSERT INTO runs (root_id, tree, cycle_tolerate, root_data, created_at, name) VALUES ($0, $1, $2, $3, $4, $5)";

    // Newest first along the index on (created_at, root_id). Only the conditions a query has are in its statement (an
    // "$n IS NULL OR ..." form kept the database from walking the index by range); the keyset (created_at, root_id)
    // continues after the previous page's last run, so a page costs the same however deep it is. One statement per
    // combination, made once, so prepared statements are reused.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> ListSql = new();

    private static string ListStatement(bool state, bool from, bool before, bool text, bool after) =>
        ListSql.GetOrAdd((state ? 1 : 0) | (from ? 2 : 0) | (before ? 4 : 0) | (text ? 8 : 0) | (after ? 16 : 0), _ =>
        {
            // Parameters are numbered in the order the conditions appear, as ListArguments gives them.
            var where = new List<string>();
            var n = 0;
            if (state)
            {
                where.Add($"s.name = ${n++}");
            }

            if (from)
            {
                where.Add($"r.created_at >= ${n++}");
            }

            if (before)
            {
                where.Add($"r.created_at < ${n++}");
            }

            if (text)
            {
                where.Add($"(LOWER(r.root_id) LIKE ${n} ESCAPE '\\' OR LOWER(r.name) LIKE ${n++} ESCAPE '\\')");
            }

            if (after)
            {
                // A row value: both databases walk the index by range from it.
                where.Add($"(r.created_at, r.root_id) < (${n++}, ${n++})");
            }

            return "SELECT r.root_id, r.name, s.name, r.created_at, s.archived_time FROM runs r JOIN states s ON s.node_id = r.root_id" +
                (where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where)) +
                $" ORDER BY r.created_at DESC, r.root_id DESC LIMIT ${n}";
        });

    private static object?[] ListArguments(RunQuery query, string? text)
    {
        var args = new List<object?>();
        if (query.State is not null)
        {
            args.Add(query.State);
        }

        if (query.CreatedFrom is long from)
        {
            args.Add(from);
        }

        if (query.CreatedBefore is long before)
        {
            args.Add(before);
        }

        if (text is not null)
        {
            args.Add(text);
        }

        if (query.AfterCreatedAt is long after)
        {
            args.Add(after);
            args.Add(query.AfterRootId ?? "");
        }

        args.Add(Math.Clamp(query.Limit, 1, 1000));
        return [.. args];
    }

    private const string NodeRootSql = "SELECT root_id FROM nodes WHERE node_id = $0";

    // One statement for the whole id list: preparing a 1000-node run must not cost 1000 round trips. Taken ids are
    // skipped rather than failing the statement: a multi-row insert that may fail half-way keeps a statement journal
    // (in SQLite, a copy of every page it touches), and a taken id is rare. The row count says whether one was.
    private readonly string _insertNodesSql =
        $"{dialect.InsertIgnore} nodes (node_id, root_id) SELECT value, $1 FROM ({dialect.JsonStrings("$0")}) ids{dialect.InsertIgnoreEnd}";

    // The root first: a run that already exists is reported as such, not by one of its node ids.
    private readonly string _takenSql =
        $"SELECT node_id FROM nodes WHERE node_id IN ({dialect.JsonStrings("$0")}) ORDER BY CASE WHEN node_id = $1 THEN 0 ELSE 1 END LIMIT 1";

    private SqlSession Session => tx.Session;

    public ValueTask<RunRecord?> GetAsync(string rootId) =>
        Session.OneAsync(GetSql, r => new RunRecord(r.GetString(0), r.GetString(1), Rows.Bool(r, 2), Rows.Object(r, 3), r.GetInt64(4)) { Name = r.GetString(5) }, rootId);

    public async ValueTask InsertAsync(RunRecord run, IReadOnlyCollection<string> nodeIds)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(nodeIds);
        // Checked with the work's next statement, not waited for: a taken id is rare, and the work then fails whole.
        // The run's own rows would collide under a taken root id: the check stops the statements after it.
        var rootId = run.RootId;
        await Session.ExecuteLaterAsync(_insertNodesSql, new RowCheck(nodeIds.Count, () => new NodeIdsTakenException(rootId), Stops: true), tx.Json.Of(nodeIds), rootId).ConfigureAwait(false);
        await Session.ExecuteLaterAsync(InsertSql, null, run.RootId, run.TreeJson, run.CycleTolerate, tx.Json.Of(run.RootPipelineData), run.CreatedAt, run.Name).ConfigureAwait(false);
    }

    public ValueTask<string?> FindTakenAsync(string rootId, IReadOnlyCollection<string> nodeIds) =>
        Session.OneAsync(_takenSql, r => r.GetString(0), tx.Json.Of(nodeIds), rootId);

    public ValueTask<string?> GetNodeRootAsync(string nodeId) => Session.OneAsync(NodeRootSql, r => r.GetString(0), nodeId);

    public async ValueTask<IReadOnlyList<RunSummary>> ListAsync(RunQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        // Case folded on both sides: LIKE ignores case in SQLite (for ASCII) but not in PostgreSQL.
        var text = string.IsNullOrEmpty(query.Text) ? null
            : "%" + query.Text.ToLowerInvariant().Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";
        var sql = ListStatement(query.State is not null, query.CreatedFrom is not null, query.CreatedBefore is not null, text is not null, query.AfterCreatedAt is not null);
        return await Session.QueryAsync(sql, r => new RunSummary(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt64(3), Rows.NullableLong(r, 4)),
            ListArguments(query, text)).ConfigureAwait(false);
    }
}
