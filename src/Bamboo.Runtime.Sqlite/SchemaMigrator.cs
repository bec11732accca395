using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>Brings a store's schema up to date when it is opened.</summary>
internal static class SchemaMigrator
{
    /// <summary>
    /// Applies the embedded scripts Schema/NNNN_*.sql whose number is above the file's user_version, each in its own
    /// transaction with the version bump, so a store is migrated once and a failed script leaves it as it was.
    /// </summary>
    public static void Apply(SqliteConnection connection)
    {
        var assembly = typeof(SqliteRuntime).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n, Version: SchemaVersion(n)))
            .OrderBy(s => s.Version);
        foreach (var (name, version) in scripts)
        {
            Execute(connection, "BEGIN IMMEDIATE;");
            try
            {
                if (Scalar(connection, "PRAGMA user_version;") < version)
                {
                    using var stream = assembly.GetManifestResourceStream(name)!;
                    using var reader = new StreamReader(stream);
                    Execute(connection, reader.ReadToEnd());
                    Execute(connection, $"PRAGMA user_version = {version};");
                }

                Execute(connection, "COMMIT;");
            }
            catch
            {
                Execute(connection, "ROLLBACK;");
                throw;
            }
        }
    }

    // "Bamboo.Runtime.Sqlite.Schema.0002_states_index.sql" → 2
    private static int SchemaVersion(string resourceName)
    {
        var file = resourceName[(resourceName.IndexOf(".Schema.", StringComparison.Ordinal) + ".Schema.".Length)..];
        return int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
