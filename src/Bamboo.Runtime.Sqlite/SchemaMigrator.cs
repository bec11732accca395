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
        var assembly = typeof(SqliteStore).Assembly;
        // Read once without the write lock: a store that is up to date (every open but the first) takes no lock.
        var current = connection.ScalarInt64("PRAGMA user_version;");
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n, Version: SchemaVersion(n)))
            .Where(s => s.Version > current)
            .OrderBy(s => s.Version);
        foreach (var (name, version) in scripts)
        {
            connection.Execute("BEGIN IMMEDIATE;");
            try
            {
                // Checked again under the lock: another process may have applied it meanwhile.
                if (connection.ScalarInt64("PRAGMA user_version;") < version)
                {
                    using var stream = assembly.GetManifestResourceStream(name)!;
                    using var reader = new StreamReader(stream);
                    connection.Execute(reader.ReadToEnd());
                    connection.Execute($"PRAGMA user_version = {version};");
                }

                connection.Execute("COMMIT;");
            }
            catch
            {
                connection.Execute("ROLLBACK;");
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
}
