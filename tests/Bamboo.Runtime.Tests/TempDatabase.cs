using Bamboo.Runtime.Sqlite;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Tests;

/// <summary>A database path in the temp folder; its files (with the WAL and shared-memory files) go away on dispose.</summary>
internal sealed class TempDatabase(string prefix) : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"bamboo-{prefix}-{Guid.NewGuid():N}.db");

    /// <summary>A store on this file, for tests of the store itself.</summary>
    public SqliteStore OpenStore(TimeProvider? time = null, int cacheSizeMiB = 64) =>
        new(new SqliteStoreOptions { DatabasePath = Path, CacheSizeMiB = cacheSizeMiB }, time);

    /// <summary>The first column of the first row of a query on <paramref name="path"/>, as text.</summary>
    public static string? Text(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar()?.ToString();
    }

    /// <summary>The first column of the first row of a query on <paramref name="path"/>, on a connection of its own.</summary>
    public static long Count(string path, string sql)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Every row of every table of <paramref name="path"/> but <paramref name="except"/>, as text, in a fixed order.</summary>
    public static string Dump(string path, IReadOnlyCollection<string> except)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var text = new System.Text.StringBuilder();
        foreach (var table in tables.Where(t => !except.Contains(t)))
        {
            using var cmd = connection.CreateCommand();
            cmd.CommandText = $"SELECT * FROM \"{table}\" ORDER BY 1, 2";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                text.Append(table);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    text.Append(" | ").Append(reader.IsDBNull(i) ? "NULL" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture));
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }

    /// <summary>Runs SQL on a connection of its own, as another process on the file would.</summary>
    public void Execute(string sql)
    {
        using var connection = Connect();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc cref="Execute"/>
    public object? Scalar(string sql)
    {
        using var connection = Connect();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    /// <summary>The first column of every row, as text, in order.</summary>
    public List<string> Strings(string sql)
    {
        using var connection = Connect();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        using var reader = cmd.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection($"Data Source={Path};Pooling=False");
        connection.Open();
        return connection;
    }

    public void Dispose()
    {
        foreach (var f in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            File.Delete(f);
        }
    }
}
