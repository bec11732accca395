using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Bamboo.Runtime.Sqlite;

/// <summary>
/// One prepared statement on the store's connection, bound by position. Microsoft.Data.Sqlite looks every
/// parameter up by name on every execution; the engine runs a handful of statements per step, so binding by
/// index through SQLitePCLRaw (the library beneath it) is a measurable share of a step.
/// </summary>
internal sealed class SqliteStatement : Relational.ISqlRow, IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _stmt;

    // SQLite numbers named parameters by first appearance, so "$1 ... $0" binds $1 at slot 1:
    // _argumentOfSlot[slot - 1] is the index k of the "$k" argument that goes into that slot.
    private readonly int[] _argumentOfSlot;

    // The value each slot holds: SQLite keeps bindings across resets, so a slot bound to the same value as in the
    // last execution (a state's name, its counters, the run's id) is not bound again. Only null, bool, int, long and
    // string are kept, which Equals compares by value; anything else is Unknown, equal to nothing. Each bind is a call into the
    // native library, and a step makes a few dozen of them.
    private readonly object?[] _bound;
    private static readonly object Unknown = new();

    // SQLite copies bound text (SQLITE_TRANSIENT), so one UTF-8 buffer serves every text bind of this statement. JSON
    // comes already as UTF-8 (JsonText): a caller's objects are never bound.
    private byte[] _utf8 = new byte[256];

    public SqliteStatement(sqlite3 db, string sql)
    {
        _db = db;
        Check(raw.sqlite3_prepare_v2(db, sql, out _stmt), sql);
        Writes = raw.sqlite3_stmt_readonly(_stmt) == 0;
        _argumentOfSlot = new int[raw.sqlite3_bind_parameter_count(_stmt)];
        _bound = new object?[_argumentOfSlot.Length];
        Array.Fill(_bound, Unknown);
        for (var slot = 1; slot <= _argumentOfSlot.Length; slot++)
        {
            var name = raw.sqlite3_bind_parameter_name(_stmt, slot).utf8_to_string();
            _argumentOfSlot[slot - 1] = name is ['$', .. var digits] && int.TryParse(digits, out var k)
                ? k
                : throw new ArgumentException($"parameter {name} of \"{sql}\" is not of the form $0, $1, ...");
        }
    }

    /// <summary>Whether the statement can change the database.</summary>
    public bool Writes { get; }

    private void Check(int rc, string? sql = null)
    {
        if (rc is not (raw.SQLITE_OK or raw.SQLITE_ROW or raw.SQLITE_DONE))
        {
            throw new SqliteException($"SQLite error {rc}: {raw.sqlite3_errmsg(_db).utf8_to_string()}{(sql is null ? "" : " in " + sql)}", rc);
        }
    }

    /// <summary>Binds the arguments of the next execution; every execution ends with a reset (Execute, or the reader's Reset).</summary>
    public void Bind(object?[] args)
    {
        for (var slot = 1; slot <= _argumentOfSlot.Length; slot++)
        {
            var arg = args[_argumentOfSlot[slot - 1]];
            if (Equals(_bound[slot - 1], arg))
            {
                continue;
            }

            // Forgotten first: should the bind fail, the slot's value is unknown.
            _bound[slot - 1] = Unknown;
            var rc = arg switch
            {
                null => raw.sqlite3_bind_null(_stmt, slot),
                bool b => raw.sqlite3_bind_int64(_stmt, slot, b ? 1 : 0),
                int n => raw.sqlite3_bind_int64(_stmt, slot, n),
                long n => raw.sqlite3_bind_int64(_stmt, slot, n),
                string s => BindText(slot, s),
                byte[] utf8 => BindUtf8(slot, utf8),
                var other => throw new ArgumentException($"cannot bind a {other.GetType().Name}"),
            };
            Check(rc);
            // Only immutable values are remembered; a byte array may have changed since.
            _bound[slot - 1] = arg is null or bool or int or long or string ? arg : Unknown;
        }
    }

    private int BindText(int slot, string s)
    {
        if (s.Length == 0)
        {
            // An empty span pins to a null pointer, which SQLite would bind as NULL.
            return raw.sqlite3_bind_text(_stmt, slot, s);
        }

        var max = System.Text.Encoding.UTF8.GetMaxByteCount(s.Length);
        if (max > _utf8.Length)
        {
            _utf8 = new byte[Math.Max(max, _utf8.Length * 2)];
        }

        var length = System.Text.Encoding.UTF8.GetBytes(s, _utf8);
        return raw.sqlite3_bind_text(_stmt, slot, new ReadOnlySpan<byte>(_utf8, 0, length));
    }

    /// <summary>Text already in UTF-8 (JSON the store serialised itself).</summary>
    private int BindUtf8(int slot, byte[] utf8) =>
        utf8.Length == 0 ? raw.sqlite3_bind_text(_stmt, slot, "") : raw.sqlite3_bind_text(_stmt, slot, utf8);

    /// <summary>Steps once; true when a row is available.</summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_stmt);
        Check(rc);
        return rc == raw.SQLITE_ROW;
    }

    /// <summary>Runs to the end and returns the number of rows changed.</summary>
    public int Execute()
    {
        try
        {
            while (Step())
            {
            }
        }
        finally
        {
            raw.sqlite3_reset(_stmt);
        }

        return raw.sqlite3_changes(_db);
    }

    public void Reset() => raw.sqlite3_reset(_stmt);

    public bool IsNull(int i) => raw.sqlite3_column_type(_stmt, i) == raw.SQLITE_NULL;

    public string GetString(int i) => raw.sqlite3_column_text(_stmt, i).utf8_to_string();

    public long GetInt64(int i) => raw.sqlite3_column_int64(_stmt, i);

    public int GetInt32(int i) => raw.sqlite3_column_int(_stmt, i);

    public void Dispose() => _stmt.Dispose();
}
