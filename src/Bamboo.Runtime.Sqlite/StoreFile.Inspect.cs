using System.Globalization;
using Bamboo.Engine.Exceptions;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>What a path holds, found without changing it; anything but a Bamboo store or a new one is refused here.</summary>
internal static partial class StoreFile
{
    // SQLITE_NOTADB: the file does not start with SQLite's header.
    private const int NotADatabase = 26;

    // The tables every schema version has had: a store made before stores were stamped with their application id
    // is known by them.
    private static readonly string[] BambooTables = ["processes", "states", "tasks"];

    private enum Contents
    {
        /// <summary>Nothing at the path: a new store.</summary>
        Missing,

        /// <summary>An empty file, or a SQLite database with nothing in it: a new store.</summary>
        Empty,

        /// <summary>A Bamboo store, of any schema version.</summary>
        Store,
    }

    private static Contents Inspect(string path)
    {
        if (Directory.Exists(path))
        {
            throw new StoreOpenException(path, "a folder, not a store file");
        }

        if (!File.Exists(path))
        {
            return Contents.Missing;
        }

        var contents = InspectDatabase(path, immutable: true);
        // A store whose process died before its first checkpoint has its schema only in the log: read it with the log.
        return contents == Contents.Empty && HasLog(path) ? InspectDatabase(path, immutable: false) : contents;
    }

    /// <summary>
    /// Reads the file's header and table names through SQLite: its own file handling keeps the locks of other
    /// connections in this process (closing any other handle on the file would drop them). Opened immutable, SQLite
    /// takes no locks and makes no -wal, -shm or -journal file, so another application's database is left as it was.
    /// </summary>
    private static Contents InspectDatabase(string path, bool immutable)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
            {
                DataSource = immutable ? ImmutableUri(path) : path,
                Mode = SqliteOpenMode.ReadOnly,
                Pooling = false,
            }.ToString());
            connection.Open();
            // Page 1 alone tells a stamped store: nothing more is read from a file that a writer may be checkpointing.
            var applicationId = connection.ScalarInt64("PRAGMA application_id;");
            if (applicationId == SchemaMigrator.ApplicationId)
            {
                return Contents.Store;
            }

            if (applicationId != 0)
            {
                throw Foreign(path, $"application id 0x{applicationId:X8}");
            }

            var version = connection.ScalarInt64("PRAGMA user_version;");
            var objects = connection.ScalarInt64("SELECT COUNT(*) FROM sqlite_master;");
            var tables = new List<string>();
            using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite!_%' ESCAPE '!' ORDER BY name;";
                using var reader = cmd.ExecuteReader();
                while (reader.Read())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            if (version > 0 && BambooTables.All(tables.Contains))
            {
                return Contents.Store;
            }

            if (version == 0 && objects == 0)
            {
                return Contents.Empty;
            }

            throw Foreign(path, tables.Count == 0
                ? $"no tables, user_version {version}"
                : "tables: " + string.Join(", ", tables.Take(5)) + (tables.Count > 5 ? ", ..." : ""));
        }
        catch (SqliteException) when (immutable && HasLog(path))
        {
            // Read without locks while a writer was copying its log into the file: read again, with the log and locks.
            return InspectDatabase(path, immutable: false);
        }
        catch (SqliteException ex) when (ex.SqliteErrorCode == NotADatabase)
        {
            throw new StoreOpenException(path, "not a Bamboo store: the file is not a SQLite database", ex);
        }
        catch (SqliteException ex)
        {
            throw new StoreOpenException(path, $"not a Bamboo store: SQLite cannot read it ({ex.Message})", ex);
        }
    }

    private static StoreOpenException Foreign(string path, string what) =>
        new(path, $"not a Bamboo store: a SQLite database of another application ({what}); it was left unchanged");

    private static bool HasLog(string path) => new FileInfo(path + "-wal") is { Exists: true, Length: > 0 };

    /// <summary>
    /// An empty file becomes a new store only if it is an ordinary file. /dev/null reads as empty too, and SQLite would
    /// write the store into it and its journal next to it. Truncating an empty file to its length changes nothing;
    /// a device or a pipe refuses it.
    /// </summary>
    private static void RequireRegularFile(string path)
    {
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            if (length == 0)
            {
                RandomAccess.SetLength(handle, length);
            }
        }
        catch (Exception ex) when (ex is IOException or NotSupportedException)
        {
            throw new StoreOpenException(path, "not a regular file, so it cannot hold a store", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new StoreOpenException(path, $"cannot write to it ({ex.Message})", ex);
        }
    }

    // SQLite's URI form reads %HH escapes, and '?' and '#' would end the path.
    private static string ImmutableUri(string path) =>
        "file:" + string.Concat(path.Select(c => c is '?' or '#' or '%' ? "%" + ((int)c).ToString("X2", CultureInfo.InvariantCulture) : c.ToString()))
        + "?immutable=1";
}
