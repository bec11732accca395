using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.RegularExpressions;
using Bamboo.Runtime.Relational;
using Npgsql;
using NpgsqlTypes;

namespace Bamboo.Runtime.Postgres;

/// <summary>
/// One transaction on one pooled connection, as a <see cref="SqlSession"/>. Every statement costs a round trip to the
/// server, which on a busy host is two context switches and most of a step's time, so the session sends as few as it
/// can: writes whose outcome the caller does not wait for are held and go out in one batch with the next statement
/// that returns something, or with the COMMIT; BEGIN and savepoints are held the same way. Held writes whose row count
/// matters carry their check, verified when their batch returns and always before COMMIT is sent. Statements are
/// prepared by Npgsql (the pool keeps them per connection). Due times are on the database's clock, estimated by
/// <see cref="DatabaseClock"/>, or on <paramref name="processClock"/> where tests steer them.
/// </summary>
internal sealed partial class PostgresSession(NpgsqlConnection connection, DatabaseClock? databaseClock, TimeProvider? processClock, RoundTripCounter? roundTrips = null)
    : SqlSession, IAsyncDisposable
{
    // The stores number parameters $0, $1, ...; PostgreSQL numbers them from $1. Converted once per statement text:
    // keyed by value, as the stores build some statements per transaction (a key by reference would grow forever).
    private static readonly ConcurrentDictionary<string, string> Converted = new(StringComparer.Ordinal);

    // Savepoint names, made once: a transaction rarely takes more than a few.
    private static readonly string[] Savepoints = [.. Enumerable.Range(0, 64).Select(i => $"SAVEPOINT s{i}")];

    private const string Commit = "COMMIT";

    // A NOTIFY takes one lock for the whole cluster from its commit until the commit is on disk: sent inside the work's
    // transaction, every committing transaction that made tasks due queued behind the others' disk writes (a convoy of
    // fsyncs as processes are added). Sent in a transaction of its own that commits without waiting for the disk, the
    // lock is held for microseconds; a notification lost in a crash costs a poll interval, never work.
    private const string NotifyBegin = "BEGIN";
    private const string NotifySql = "SELECT set_config('synchronous_commit', 'off', true), pg_notify($1, $2)";

    /// <summary>How many statement texts the conversion cache holds (bounded by the stores' statements).</summary>
    internal static int ConvertedTexts => Converted.Count;

    /// <summary>How many checked statement texts were made (bounded by the stores' checked writes, whatever their row counts).</summary>
    internal static int CheckedTextCount => CheckedTexts.Count;

    private readonly NpgsqlBatch _batch = new(connection);

    // Statements that go out with the next one that returns something, or with the commit, in order; then, until
    // their batch returned, the ones sent (the two lists swap).
    private List<Held> _held = [];
    private List<Held> _sent = [];
    private int _heldWrites;
    private int _heldChecks;
    private bool _beginHeld;

    // Works ended without sending their held writes (EndWorkAsync), in order: where each one's statements end in
    // _held, and the mark it began at; then, until their batch returned, in _sentEnded (swapped as _held and _sent
    // are). Their failures, found when a later batch stops at one, are kept in _late.
    private List<(int End, int Mark)> _ended = [];
    private List<(int End, int Mark)> _sentEnded = [];
    private readonly List<(int Mark, Exception Error)> _late = [];

    private string _begin = "";

    // The server has this session's transaction open: its BEGIN went out and no COMMIT or ROLLBACK since.
    private bool _open;
    private int _writes;
    private int _savepoints;
    private Exception? _failure;
    private long _clock;

    public override long Clock => _clock;

    public override Exception? HeldFailure => _failure;

    public override IReadOnlyList<(int Mark, Exception Error)> LateFailures => _late;

    [GeneratedRegex(@"\$(\d+)")]
    private static partial Regex Parameter();

    /// <summary>
    /// Begins a transaction; its BEGIN goes out with the first statement. Writes read committed rows (their updates
    /// compare-and-set, and claims skip locked rows); reads see one snapshot throughout, as SQLite's do, and a
    /// read-only repeatable read never fails to serialize.
    /// </summary>
    public async ValueTask BeginAsync(bool write, CancellationToken cancellationToken)
    {
        _begin = write ? "BEGIN ISOLATION LEVEL READ COMMITTED" : "BEGIN ISOLATION LEVEL REPEATABLE READ";
        Hold(_begin, [], null);
        _writes = 0;
        _savepoints = 0;
        _late.Clear();
        if (processClock is not null)
        {
            _clock = processClock.GetUtcNow().ToUnixTimeMilliseconds();
        }
        else if (databaseClock!.Now is { } estimate)
        {
            _clock = estimate;
        }
        else
        {
            // No recent reading: this transaction's first round trip reads the server's clock (and sends the BEGIN).
            cancellationToken.ThrowIfCancellationRequested();
            var millis = await SendAsync(DatabaseClock.ReadSql, [], ReadLongAsync).ConfigureAwait(false);
            _clock = databaseClock.Refresh(millis);
        }
    }

    /// <summary>
    /// Commits, in one round trip with the held writes: their checks run in the server (see <see cref="FlushAsync"/>),
    /// so a failed one stops the batch before its COMMIT. A <paramref name="notification"/> (channel, payload) goes out
    /// in the same round trip, in a transaction of its own after the COMMIT (see <see cref="NotifySql"/>).
    /// </summary>
    public async Task CommitAsync((string Channel, string Payload)? notification, CancellationToken cancellationToken)
    {
        ThrowHeldFailure();
        cancellationToken.ThrowIfCancellationRequested();
        if (!_open && _heldWrites == 0)
        {
            // Nothing reached the server and nothing is to be written: there is no transaction to end.
            ClearHeld();
            return;
        }

        Hold(Commit, [], null);
        if (notification is { } notify)
        {
            Hold(NotifyBegin, [], null);
            Hold(NotifySql, [notify.Channel, notify.Payload], null);
            Hold(Commit, [], null);
        }

        try
        {
            await SendHeldAsync().ConfigureAwait(false);
        }
        catch (PostgresException ex) when (notification is not null && FailedAt(ex) > CommitIndex())
        {
            // Committed; only the wake-up failed (the notification queue is full). Other processes find the work when
            // they poll. The notification's own transaction is aborted: end it before the connection goes back.
            _failure = null;
            await SendAsync<int>("ROLLBACK", [], null).ConfigureAwait(false);
        }

        _open = false;
    }

    /// <summary>Where the COMMIT of the work's transaction is in the last batch (a notification's follows it).</summary>
    private int CommitIndex()
    {
        var commands = _batch.BatchCommands;
        for (var i = 0; i < commands.Count; i++)
        {
            if (ReferenceEquals(commands[i].CommandText, Commit))
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    public async Task RollbackAsync()
    {
        ClearHeld();
        _failure = null;
        _late.Clear();
        if (_open)
        {
            _open = false;
            await SendRollbackAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Whether the connection still works: one the server ended or the network broke took its transaction with it.</summary>
    public bool IsOpen =>
        connection.FullState.HasFlag(System.Data.ConnectionState.Open) && !connection.FullState.HasFlag(System.Data.ConnectionState.Broken);

    /// <summary>
    /// Ends the transaction on the server. A connection that broke (the server ended it, the network failed) took its
    /// transaction with it: there is nothing to roll back, and trying would replace the error that broke it, a
    /// <see cref="NpgsqlException"/>, with Npgsql's "connection is not open".
    /// </summary>
    private async ValueTask SendRollbackAsync()
    {
        if (IsOpen)
        {
            await SendAsync<int>("ROLLBACK", [], null).ConfigureAwait(false);
        }
    }

    public override ValueTask<int> MarkWorkAsync()
    {
        if (_writes == 0)
        {
            return ValueTask.FromResult(0);
        }

        // The works before stay held: their writes check themselves in the server (EndWorkAsync).
        _savepoints++;
        Hold(SavepointName(_savepoints), [], null);
        return ValueTask.FromResult(_savepoints);
    }

    /// <summary>
    /// Ends a work, holding its writes for the next batch. Its checked writes are made to check themselves in the
    /// server, so a failed one stops the batch before anything of the works after it runs: then that work alone is
    /// undone and the statements after it are sent again (see <see cref="SendRowsAsync{T}"/>).
    /// </summary>
    public override ValueTask EndWorkAsync(int mark)
    {
        ThrowHeldFailure();
        var start = _ended.Count == 0 ? 0 : _ended[^1].End;
        var writes = false;
        for (var i = start; i < _held.Count; i++)
        {
            writes |= _held[i].Write;
            if (_held[i].Check is not null)
            {
                CheckInServer(i);
            }
        }

        if (writes)
        {
            _ended.Add((_held.Count, mark));
        }

        return ValueTask.CompletedTask;
    }

    public override async ValueTask<int> MarkAsync()
    {
        if (_writes == 0)
        {
            // Nothing written yet: undoing to here is rolling the whole transaction back.
            return 0;
        }

        await FlushAsync().ConfigureAwait(false);
        return await MarkWorkAsync().ConfigureAwait(false);
    }

    public override async ValueTask UndoToAsync(int mark)
    {
        _failure = null;
        if (mark == 0)
        {
            ClearHeld();
            if (_open)
            {
                _open = false;
                await SendRollbackAsync().ConfigureAwait(false);
            }

            Hold(_begin, [], null);
            _writes = 0;
            _savepoints = 0;
            return;
        }

        // What is held before the savepoint (ended works' writes, when MarkWorkAsync made the mark) stays; what follows
        // it is dropped. When the savepoint itself is still held, nothing since the mark reached the server and there
        // is nothing to roll back; when it was sent, so was everything before it.
        var savepoint = SavepointName(mark);
        var index = _held.FindIndex(h => string.Equals(h.Sql, savepoint, StringComparison.Ordinal));
        ClearHeld(index < 0 ? 0 : index);
        if (index < 0)
        {
            Hold("ROLLBACK TO " + savepoint, [], null);
        }
    }

    /// <summary>
    /// Sends the held writes with their checks made by the server: a checked write goes as a statement that fails when
    /// its row count is not the expected one, which stops the batch there (and aborts the transaction, which the
    /// caller's undo to its mark, or the rollback, recovers). The failure is thrown as the check's exception.
    /// </summary>
    public override async ValueTask FlushAsync()
    {
        // A work that failed already fails with that; its held writes are undone with it, unsent.
        ThrowHeldFailure();
        if (_heldWrites > 0)
        {
            await SendHeldAsync().ConfigureAwait(false);
        }
    }

    private async ValueTask SendHeldAsync()
    {
        for (var i = 0; i < _held.Count; i++)
        {
            if (_held[i].Check is not null)
            {
                CheckInServer(i);
            }
        }

        await SendAsync<int>(null, [], null).ConfigureAwait(false);
    }

    /// <summary>The server's check replaces the client's: the write fails its statement unless it changed the expected rows.</summary>
    private void CheckInServer(int index)
    {
        _held[index] = Checked(_held[index]);
        _heldChecks--;
    }

    /// <summary>The write as its own check: the expected row count goes as one more parameter, so every count shares one prepared text.</summary>
    private static Held Checked(Held held)
    {
        var check = held.Check!.Value;
        return held with { Sql = CheckedText(held.Sql, held.Args.Length + 1), Args = [.. held.Args, check.Rows], Check = null, ServerCheck = check };
    }

    private static bool IsCheck(PostgresException ex) =>
        ex.SqlState == PostgresErrorCodes.InvalidTextRepresentation && ex.MessageText.Contains(CheckMarker, StringComparison.Ordinal);

    /// <summary>
    /// Where in the last batch <paramref name="ex"/> stopped it (the server runs nothing after that): the first
    /// statement that did not complete, as Npgsql gives the failed one only when told to keep its parameters.
    /// </summary>
    private int FailedAt(PostgresException ex)
    {
        var commands = _batch.BatchCommands;
        for (var i = 0; i < commands.Count; i++)
        {
            if (ReferenceEquals(commands[i], ex.BatchCommand) || commands[i].StatementType == StatementType.Unknown)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The error a work fails with for the statement at <paramref name="index"/> of the last batch: its check's, or the server's.</summary>
    private Exception CheckFailure(PostgresException ex, int index)
    {
        if (!IsCheck(ex))
        {
            return ex;
        }

        var at = ex.MessageText.IndexOf(CheckMarker, StringComparison.Ordinal) + CheckMarker.Length;
        var changed = int.Parse(ex.MessageText.AsSpan(at).TrimEnd('"'), System.Globalization.CultureInfo.InvariantCulture);
        return (index >= 0 && index < _sent.Count ? _sent[index].ServerCheck?.Verify(changed) : null)
            ?? throw new InvalidOperationException($"a row check failed with the expected row count: {ex.MessageText}", ex);
    }

    // A checked write as one statement that fails unless it changed the expected rows, saying how many: CAST of text
    // that is no number (the aggregate keeps the planner from evaluating it in advance). Which statement failed is
    // where the batch stopped (FailedAt).
    private const string CheckMarker = "bamboo row check ";

    private static readonly ConcurrentDictionary<(string Sql, int RowsParameter), string> CheckedTexts = new();

    private static string CheckedText(string sql, int rowsParameter) => CheckedTexts.GetOrAdd((sql, rowsParameter), key =>
        $"WITH w AS ({key.Sql} RETURNING 1) SELECT CASE WHEN COUNT(*) = ${key.RowsParameter} THEN 0 " +
        $"ELSE CAST('{CheckMarker}' || CAST(COUNT(*) AS TEXT) AS INTEGER) END FROM w");

    public override ValueTask ExecuteLaterAsync(string sql, RowCheck? check, params object?[] args)
    {
        if (check is { Stops: true } stops)
        {
            Hold(Checked(new Held(Convert(sql), args, stops, Write: true)));
        }
        else
        {
            Hold(Convert(sql), args, check, write: true);
        }

        _writes++;
        return ValueTask.CompletedTask;
    }

    public override async ValueTask<int> ExecuteAsync(string sql, params object?[] args)
    {
        _writes++;
        return await SendAsync<int>(Convert(sql), args, null).ConfigureAwait(false);
    }

    public override async ValueTask<long> InsertAsync(string sql, params object?[] args)
    {
        _writes++;
        return await SendAsync(Convert(sql + " RETURNING id"), args, ReadLongAsync).ConfigureAwait(false);
    }

    public override async ValueTask<long[]> InsertAllAsync(string sql, IReadOnlyList<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return [];
        }

        _writes++;
        return await SendRowsAsync(Convert(sql + " RETURNING id"), rows, async reader =>
        {
            var ids = new long[rows.Count];
            for (var i = 0; i < ids.Length; i++)
            {
                if (i > 0)
                {
                    await reader.NextResultAsync().ConfigureAwait(false);
                }

                ids[i] = await ReadLongAsync(reader).ConfigureAwait(false);
            }

            return ids;
        }).ConfigureAwait(false);
    }

    public override async ValueTask<List<T>> QueryAsync<T>(string sql, Func<ISqlRow, T> map, params object?[] args)
    {
        // A query may write too (UPDATE ... RETURNING): counted, so a later mark takes a savepoint.
        _writes++;
        return await SendAsync(Convert(sql), args, async reader =>
        {
            var row = new PostgresRow(reader);
            var rows = new List<T>();
            while (await reader.ReadAsync().ConfigureAwait(false))
            {
                rows.Add(map(row));
            }

            return rows;
        }).ConfigureAwait(false);
    }

    private static async ValueTask<long> ReadLongAsync(NpgsqlDataReader reader)
    {
        await reader.ReadAsync().ConfigureAwait(false);
        return reader.GetInt64(0);
    }

    /// <summary>
    /// Sends what is held and then <paramref name="sql"/> (if any) in one round trip; returns what
    /// <paramref name="read"/> reads from its result, or without a reader its changed rows. Held checks that fail are
    /// kept in <see cref="HeldFailure"/>, not thrown: the caller gets its answer, and its work fails when flushed.
    /// </summary>
    private ValueTask<T> SendAsync<T>(string? sql, object?[] args, Func<NpgsqlDataReader, ValueTask<T>>? read) => SendRowsAsync(sql, [args], read);

    /// <summary>
    /// As <see cref="SendAsync{T}"/>, with
    /// <paramref name="sql"/> once per row of <paramref name="argRows"/>: <paramref name="read"/> reads their results in order.
    /// </summary>
    private async ValueTask<T> SendRowsAsync<T>(string? sql, IReadOnlyList<object?[]> argRows, Func<NpgsqlDataReader, ValueTask<T>>? read)
    {
        while (true)
        {
            var commands = _batch.BatchCommands;
            commands.Clear();
            var checkedInServer = 0;
            foreach (var held in _held)
            {
                commands.Add(Command(held.Sql, held.Args));
                checkedInServer += held.ServerCheck is null ? 0 : 1;
            }

            if (sql is not null)
            {
                foreach (var args in argRows)
                {
                    commands.Add(Command(sql, args));
                }
            }

            // Whatever happens next, these went out: a BEGIN among them opened the transaction.
            _open |= _beginHeld;
            var heldChecks = _heldChecks;
            (_held, _sent) = (_sent, _held);
            (_ended, _sentEnded) = (_sentEnded, _ended);
            ClearHeld();
            var ended = _sentEnded.Count == 0 ? null : _sentEnded;
            PostgresMetrics.RoundTrip(commands.Count);
            roundTrips?.Add();
            T result;
            try
            {
                if (read is null)
                {
                    var changed = await _batch.ExecuteNonQueryAsync().ConfigureAwait(false);
                    result = (T)(object)(sql is null ? changed : commands[^1].RecordsAffected);
                }
                else
                {
                    var reader = await _batch.ExecuteReaderAsync().ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        // Writes that check themselves answer a row each, before the statement read here.
                        for (var i = 0; i < checkedInServer; i++)
                        {
                            await reader.NextResultAsync().ConfigureAwait(false);
                        }

                        result = await read(reader).ConfigureAwait(false);
                    }
                }
            }
            catch (PostgresException ex) when (ended is not null && IsOpen && EndedWorkAt(FailedAt(ex), ended) is { } failed)
            {
                // An ended work's write failed: nothing after it ran. That work alone is undone, the rest goes again.
                UndoEndedWork(ex, failed, ended);
                continue;
            }
            catch (PostgresException ex)
            {
                // The transaction is aborted: the work fails with this even if it catches it (a COMMIT sent now would
                // end the transaction as a rollback, without an error, under every work in it). A held write may be
                // what failed; a failed check fails with its own error.
                _failure ??= ex;
                var failure = CheckFailure(ex, FailedAt(ex));
                if (!ReferenceEquals(failure, ex))
                {
                    if (ReferenceEquals(_failure, ex))
                    {
                        _failure = failure;
                    }

                    ExceptionDispatchInfo.Throw(failure);
                }

                throw;
            }

            for (var i = 0; heldChecks > 0 && i < _sent.Count; i++)
            {
                if (_sent[i].Check?.Verify(commands[i].RecordsAffected) is { } failure)
                {
                    _failure ??= failure;
                }
            }

            _sent.Clear();
            _sentEnded.Clear();
            return result;
        }
    }

    /// <summary>The ended work whose statements hold <paramref name="index"/> of the last batch: where they end, and its mark.</summary>
    private static (int Index, int End, int Mark)? EndedWorkAt(int index, List<(int End, int Mark)> ended)
    {
        foreach (var (end, mark) in ended)
        {
            if (index >= 0 && index < end)
            {
                return (index, end, mark);
            }
        }

        return null;
    }

    /// <summary>
    /// Undoes the ended work whose write stopped the last batch, to the mark it began at, keeps its error for its
    /// caller, and holds again what came after it in that batch (the works after it, which never ran).
    /// </summary>
    private void UndoEndedWork(PostgresException ex, (int Index, int End, int Mark) failed, List<(int End, int Mark)> ended)
    {
        _late.Add((failed.Mark, CheckFailure(ex, failed.Index)));
        var rest = _sent.GetRange(failed.End, _sent.Count - failed.End);
        _sent.Clear();
        if (failed.Mark == 0)
        {
            // The work began the transaction's writes: nothing before it is lost by starting over.
            Hold("ROLLBACK", [], null);
            Hold(_begin, [], null);
        }
        else
        {
            Hold("ROLLBACK TO " + SavepointName(failed.Mark), [], null);
        }

        var shift = _held.Count - failed.End;
        foreach (var held in rest)
        {
            Hold(held);
        }

        foreach (var (end, mark) in ended)
        {
            if (end > failed.End)
            {
                _ended.Add((end + shift, mark));
            }
        }
    }

    private void Hold(string sql, object?[] args, RowCheck? check, bool write = false) => Hold(new Held(sql, args, check, write));

    private void Hold(Held held)
    {
        _held.Add(held);
        _heldWrites += held.Write ? 1 : 0;
        _heldChecks += held.Check is null ? 0 : 1;
        _beginHeld |= ReferenceEquals(held.Sql, _begin);
    }

    /// <summary>Drops the held statements from <paramref name="from"/> on, and the ended works among them.</summary>
    private void ClearHeld(int from = 0)
    {
        _held.RemoveRange(from, _held.Count - from);
        while (_ended.Count > 0 && _ended[^1].End > from)
        {
            _ended.RemoveAt(_ended.Count - 1);
        }

        (_heldWrites, _heldChecks, _beginHeld) = (0, 0, false);
        foreach (var held in _held)
        {
            _heldWrites += held.Write ? 1 : 0;
            _heldChecks += held.Check is null ? 0 : 1;
            _beginHeld |= ReferenceEquals(held.Sql, _begin);
        }
    }

    private void ThrowHeldFailure()
    {
        if (_failure is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private static string SavepointName(int mark) => mark < Savepoints.Length ? Savepoints[mark] : $"SAVEPOINT s{mark}";

    private static string Convert(string sql) =>
        Converted.GetOrAdd(sql, s => Parameter().Replace(s, m => "$" + (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1)));

    private static NpgsqlBatchCommand Command(string text, object?[] args)
    {
        var command = new NpgsqlBatchCommand(text);
        foreach (var arg in args)
        {
            command.Parameters.Add(arg switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value },
                bool b => new NpgsqlParameter<long> { TypedValue = b ? 1 : 0 },
                int n => new NpgsqlParameter<long> { TypedValue = n },
                long n => new NpgsqlParameter<long> { TypedValue = n },
                string s => new NpgsqlParameter<string> { TypedValue = s, NpgsqlDbType = NpgsqlDbType.Text },
                byte[] utf8 => new NpgsqlParameter<string> { TypedValue = Encoding.UTF8.GetString(utf8), NpgsqlDbType = NpgsqlDbType.Text },
                var other => throw new ArgumentException($"cannot bind a {other.GetType().Name}"),
            });
        }

        return command;
    }

    public async ValueTask DisposeAsync() => await _batch.DisposeAsync().ConfigureAwait(false);

    /// <summary>
    /// A statement held to go out with the next round trip; its text is already in PostgreSQL's numbering. Its check is
    /// made by the client when the batch returns, or, once rewritten for the server, by the statement itself.
    /// </summary>
    private readonly record struct Held(string Sql, object?[] Args, RowCheck? Check, bool Write = false)
    {
        public RowCheck? ServerCheck { get; init; }
    }

    /// <summary>The reader's current row, read by position; integers of any width read as long.</summary>
    private sealed class PostgresRow(NpgsqlDataReader reader) : ISqlRow
    {
        public bool IsNull(int column) => reader.IsDBNull(column);

        public string GetString(int column) => reader.GetString(column);

        public long GetInt64(int column) => reader.GetFieldType(column) == typeof(long) ? reader.GetInt64(column) : System.Convert.ToInt64(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture);

        public int GetInt32(int column) => checked((int)GetInt64(column));
    }
}
