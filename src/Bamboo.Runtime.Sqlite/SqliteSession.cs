using Bamboo.Runtime.Relational;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>
/// The store's one writer connection as a <see cref="SqlSession"/>: statements prepared once and reused across
/// transactions, bound by position. Failed work is undone by rolling back and replaying the writes before it
/// (see <see cref="UndoToAsync"/>).
/// </summary>
internal sealed class SqliteSession(SqliteConnection connection, StoreClock clock) : SqlSession, IDisposable
{
    private const string AdvanceClockSql = "UPDATE store_clock SET now_ms = CASE WHEN now_ms > $0 THEN now_ms ELSE $0 END";

    /// <summary>
    /// How far this process's clock may run ahead of the stored one before a write moves it: the most that another
    /// process, which counts from the stored value, can lag behind this one.
    /// </summary>
    private const long ClockWriteStepMs = 50;
    private const string ReadClockSql = "SELECT now_ms FROM store_clock";

    // Keyed by the SQL string object: the stores hand the same string objects every time, so a lookup never hashes a
    // long string. A string built at run time falls back to a lookup by value.
    private readonly Dictionary<string, SqliteStatement> _statements = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, SqliteStatement> _statementsByText = [];

    // The writes of this transaction so far, to replay when later work fails (UndoToAsync). JSON is bound as UTF-8
    // text, never as the caller's objects, so what is replayed is what was written.
    private readonly List<(SqliteStatement Statement, object?[] Args)> _replay = [];
    private bool _recording;
    private bool _open;

    public override long Clock => _clock;

    private long _clock;

    /// <summary>
    /// Set when the database transaction itself failed (SQLite rolled it back after a full disk or an I/O error, or a
    /// replay failed): nothing more may run in it.
    /// </summary>
    public Exception? Broken { get; private set; }

    // Transactions are driven with our own prepared BEGIN/COMMIT/ROLLBACK statements: SqliteTransaction would
    // prepare a fresh statement for each of them on every step, which costs more than the step's own writes.
    public void Begin(bool write)
    {
        _replay.Clear();
        Broken = null;
        _recording = write;
        Control(write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
        _open = true;
        var stored = Read(Statement(ReadClockSql, []), r => r.GetInt64(0))[0];
        _clock = clock.Observed(stored);
        if (write && _clock - stored >= ClockWriteStepMs)
        {
            // The store's clock moves with this process's monotonic clock and never back (StoreClock). Written only
            // every few milliseconds of progress: a write on every commit put one more page in each commit's log.
            object?[] args = [_clock];
            var statement = Statement(AdvanceClockSql, args);
            statement.Execute();
            Recorded(statement, args);
        }
    }

    public void Commit()
    {
        Control("COMMIT");
        _open = false;
    }

    /// <summary>Rolls back if a transaction is open; after a failure SQLite may have rolled back by itself.</summary>
    public void Rollback()
    {
        if (!_open)
        {
            return;
        }

        _open = false;
        if (InTransaction)
        {
            Control("ROLLBACK");
        }
    }

    private bool InTransaction => SQLitePCL.raw.sqlite3_get_autocommit(connection.Handle) == 0;

    public override ValueTask<int> MarkAsync() => ValueTask.FromResult(_replay.Count);

    /// <summary>
    /// Undoes every write made since <paramref name="mark"/>. A savepoint around each caller and each isolated piece
    /// of work did this at a price paid by every step (a savepoint copies every page its work touches). Failures are
    /// rare, so instead the transaction rolls back and the writes before the mark are replayed: the same statements
    /// with the same values, in the same order, on the same starting state, give the same rows and ids their callers
    /// already hold. No caller's code runs twice. Should the replay fail, the transaction is broken and fails whole.
    /// </summary>
    public override ValueTask UndoToAsync(int mark)
    {
        if (!_recording)
        {
            return ValueTask.CompletedTask; // a read transaction: nothing to undo
        }

        _replay.RemoveRange(mark, _replay.Count - mark);
        try
        {
            if (InTransaction)
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
        catch (SqliteException ex)
        {
            Broken = ex;
            throw;
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask<int> ExecuteAsync(string sql, params object?[] args)
    {
        var statement = Statement(sql, args);
        int changed;
        try
        {
            changed = statement.Execute();
        }
        catch (SqliteException ex) when (!InTransaction && _open)
        {
            // SQLite rolled the whole transaction back (a full disk, an I/O error): every caller in it has lost its work.
            Broken = ex;
            throw;
        }

        Recorded(statement, args);
        return ValueTask.FromResult(changed);
    }

    public override async ValueTask<long> InsertAsync(string sql, params object?[] args)
    {
        await ExecuteAsync(sql, args).ConfigureAwait(false);
        // Not RETURNING, which buffers its output in a temporary table.
        return SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);
    }

    public override ValueTask<List<T>> QueryAsync<T>(string sql, Func<ISqlRow, T> map, params object?[] args)
    {
        var statement = Statement(sql, args);
        List<T> rows;
        try
        {
            rows = Read(statement, map);
        }
        catch (SqliteException ex) when (!InTransaction && _open)
        {
            Broken = ex;
            throw;
        }

        Recorded(statement, args);
        return ValueTask.FromResult(rows);
    }

    private static List<T> Read<T>(SqliteStatement statement, Func<ISqlRow, T> map)
    {
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

        return list;
    }

    private SqliteStatement Statement(string sql, object?[] args)
    {
        if (!_statements.TryGetValue(sql, out var statement))
        {
            if (!_statementsByText.TryGetValue(sql, out statement))
            {
                statement = new SqliteStatement(connection.Handle!, sql);
                _statementsByText[sql] = statement;
            }

            _statements[sql] = statement;
        }

        statement.Bind(args);
        return statement;
    }

    /// <summary>Transaction control: never kept for replay.</summary>
    private void Control(string sql) => Statement(sql, []).Execute();

    /// <summary>Keeps a write that succeeded for replay (<see cref="UndoToAsync"/>).</summary>
    private void Recorded(SqliteStatement statement, object?[] args)
    {
        if (_recording && statement.Writes)
        {
            _replay.Add((statement, args));
        }
    }

    public void Dispose()
    {
        foreach (var statement in _statementsByText.Values)
        {
            statement.Dispose();
        }
    }
}
