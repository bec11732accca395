using System.Globalization;
using Bamboo.Engine.Exceptions;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>Brings a store's schema up to date when it is opened, and refuses a schema it does not know.</summary>
internal static class SchemaMigrator
{
    /// <summary>PRAGMA application_id of a Bamboo store ("BMBO"): tells our files from other applications' databases.</summary>
    public const long ApplicationId = 0x424D424F;

    // The embedded scripts Schema/NNNN_*.sql by version.
    private static readonly (string Name, int Version)[] Scripts = [.. typeof(SqliteStore).Assembly.GetManifestResourceNames()
        .Where(n => n.EndsWith(".sql", StringComparison.Ordinal))
        .Select(n => (Name: n, Version: SchemaVersion(n)))
        .OrderBy(s => s.Version)];

    /// <summary>The schema version this build writes: the number of its last script.</summary>
    public static int LatestVersion { get; } = Scripts[^1].Version;

    /// <summary>Refuses a store whose schema a newer build wrote: this one would not know what its tables mean.</summary>
    public static void RefuseNewer(SqliteConnection connection, string path) => RefuseNewer(connection.ScalarInt64("PRAGMA user_version;"), path);

    /// <summary>A store opened read-only is not migrated, so its schema must be this build's.</summary>
    public static void RequireCurrent(SqliteConnection connection, string path)
    {
        var version = connection.ScalarInt64("PRAGMA user_version;");
        RefuseNewer(version, path);
        if (version < LatestVersion)
        {
            throw new StoreOpenException(path, $"the store has schema version {version}, older than this build's {LatestVersion}, and a read-only "
                + "open does not upgrade it; open it once for writing (for example with bamboo worker) to upgrade it");
        }
    }

    private static void RefuseNewer(long version, string path)
    {
        if (version > LatestVersion)
        {
            throw new StoreOpenException(path, $"the store has schema version {version}, newer than this build's {LatestVersion}; use a newer bamboo");
        }
    }

    /// <summary>
    /// Applies the embedded scripts whose number is above the file's user_version, each in its own transaction with
    /// the version bump, so a store is migrated once and a failed script leaves it as it was; then stamps the file
    /// with Bamboo's application id (stores made before the stamp get it here).
    /// </summary>
    public static void Apply(SqliteConnection connection)
    {
        var assembly = typeof(SqliteStore).Assembly;
        // Read once without the write lock: a store that is up to date (every open but the first) takes no lock.
        var current = connection.ScalarInt64("PRAGMA user_version;");
        foreach (var (name, version) in Scripts.Where(s => s.Version > current))
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

        if (connection.ScalarInt64("PRAGMA application_id;") != ApplicationId)
        {
            connection.Execute($"PRAGMA application_id = {ApplicationId};");
        }
    }

    // "Bamboo.Runtime.Sqlite.Schema.0002_states_index.sql" → 2
    private static int SchemaVersion(string resourceName)
    {
        var file = resourceName[(resourceName.IndexOf(".Schema.", StringComparison.Ordinal) + ".Schema.".Length)..];
        return int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], CultureInfo.InvariantCulture);
    }
}
