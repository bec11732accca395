using System.Collections.Concurrent;
using System.Data;
using System.Text;
using System.Text.RegularExpressions;
using Bamboo.Runtime.Relational;
using Npgsql;
using NpgsqlTypes;

namespace Bamboo.Runtime.Postgres;

/// <summary>
/// One transaction on one pooled connection, as a <see cref="SqlSession"/>. Statements are prepared by Npgsql (the
/// pool keeps them per connection); work is undone with savepoints, taken only when work asks for one after writing.
/// Due times are on the database's clock, or on <paramref name="processClock"/> where tests steer them.
/// </summary>
internal sealed partial class PostgresSession(NpgsqlConnection connection, TimeProvider? processClock) : SqlSession, IAsyncDisposable
{
    // The stores number parameters $0, $1, ...; PostgreSQL numbers them from $1. Converted once per statement text:
    // keyed by value, as the stores build some statements per transaction (a key by reference would grow forever).
    private static readonly ConcurrentDictionary<string, string> Converted = new(StringComparer.Ordinal);

    /// <summary>How many statement texts the conversion cache holds (bounded by the stores' statements).</summary>
    internal static int ConvertedTexts => Converted.Count;

    private const string ClockSql = "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

    private NpgsqlTransaction? _transaction;
    private IsolationLevel _isolation;
    private int _writes;
    private int _savepoints;
    private bool _completed;

    public override long Clock => _clock;

    private long _clock;

    [GeneratedRegex(@"\$(\d+)")]
    private static partial Regex Parameter();

    /// <summary>
    /// Begins a transaction. Writes read committed rows (their updates compare-and-set, and claims skip locked rows);
    /// reads see one snapshot throughout, as SQLite's do, and a read-only repeatable read never fails to serialize.
    /// </summary>
    public async ValueTask BeginAsync(bool write, CancellationToken cancellationToken)
    {
        _isolation = write ? IsolationLevel.ReadCommitted : IsolationLevel.RepeatableRead;
        _transaction = await connection.BeginTransactionAsync(_isolation, cancellationToken).ConfigureAwait(false);
        _writes = 0;
        _savepoints = 0;
        // The database's clock: hosts whose clocks disagree still agree on due times. Sent with the BEGIN.
        _clock = processClock is null
            ? (await QueryAsync(ClockSql, r => r.GetInt64(0)).ConfigureAwait(false))[0]
            : processClock.GetUtcNow().ToUnixTimeMilliseconds();
        _writes = 0;
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        await _transaction!.CommitAsync(cancellationToken).ConfigureAwait(false);
        _completed = true;
    }

    public async Task RollbackAsync()
    {
        if (_transaction is { } transaction && !_completed)
        {
            _completed = true;
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    public override async ValueTask<int> MarkAsync()
    {
        if (_writes == 0)
        {
            // Nothing written yet: undoing to here is rolling the whole transaction back.
            return 0;
        }

        _savepoints++;
        await ExecuteRawAsync($"SAVEPOINT s{_savepoints}").ConfigureAwait(false);
        return _savepoints;
    }

    public override async ValueTask UndoToAsync(int mark)
    {
        if (mark == 0)
        {
            await _transaction!.RollbackAsync().ConfigureAwait(false);
            await _transaction.DisposeAsync().ConfigureAwait(false);
            _transaction = await connection.BeginTransactionAsync(_isolation).ConfigureAwait(false);
            _writes = 0;
            _savepoints = 0;
            return;
        }

        await ExecuteRawAsync($"ROLLBACK TO SAVEPOINT s{mark}").ConfigureAwait(false);
    }

    public override async ValueTask<int> ExecuteAsync(string sql, params object?[] args)
    {
        var command = Command(sql, args);
        await using var commandLifetime = command.ConfigureAwait(false);
        var changed = await command.ExecuteNonQueryAsync().ConfigureAwait(false);
        _writes++;
        return changed;
    }

    public override async ValueTask<long> InsertAsync(string sql, params object?[] args)
    {
        var command = Command(sql + " RETURNING id", args);
        await using var commandLifetime = command.ConfigureAwait(false);
        var id = (long)(await command.ExecuteScalarAsync().ConfigureAwait(false))!;
        _writes++;
        return id;
    }

    public override async ValueTask<List<T>> QueryAsync<T>(string sql, Func<ISqlRow, T> map, params object?[] args)
    {
        var command = Command(sql, args);
        await using var commandLifetime = command.ConfigureAwait(false);
        var reader = await command.ExecuteReaderAsync().ConfigureAwait(false);
        await using var readerLifetime = reader.ConfigureAwait(false);
        var row = new PostgresRow(reader);
        var rows = new List<T>();
        while (await reader.ReadAsync().ConfigureAwait(false))
        {
            rows.Add(map(row));
        }

        // A query may write too (UPDATE ... RETURNING): counted, so a later mark takes a savepoint.
        _writes++;
        return rows;
    }

    private async Task ExecuteRawAsync(string sql)
    {
        var command = new NpgsqlCommand(sql, connection, _transaction);
        await using var commandLifetime = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private NpgsqlCommand Command(string sql, object?[] args)
    {
        var text = Converted.GetOrAdd(sql, s => Parameter().Replace(s, m => "$" + (int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) + 1)));
        var command = new NpgsqlCommand(text, connection, _transaction);
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

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The reader's current row, read by position; integers of any width read as long.</summary>
    private sealed class PostgresRow(NpgsqlDataReader reader) : ISqlRow
    {
        public bool IsNull(int column) => reader.IsDBNull(column);

        public string GetString(int column) => reader.GetString(column);

        public long GetInt64(int column) => reader.GetFieldType(column) == typeof(long) ? reader.GetInt64(column) : Convert.ToInt64(reader.GetValue(column), System.Globalization.CultureInfo.InvariantCulture);

        public int GetInt32(int column) => checked((int)GetInt64(column));
    }
}
