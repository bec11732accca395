using Bamboo.Engine.Exceptions;
using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>
/// Opens the store's file: first looks at what the path holds without changing it (StoreFile.Inspect.cs), then, for a
/// Bamboo store or a new one, sets the connection up and brings the schema up to date (or, read-only, checks it is).
/// </summary>
internal static partial class StoreFile
{
    /// <summary>The path made absolute; an empty or malformed path is refused here, before anything touches the disk.</summary>
    public static string FullPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new StoreOpenException("", "no store file given (the path is empty)");
        }

        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new StoreOpenException(path, $"not a usable path ({ex.Message})", ex);
        }
    }

    public static string ConnectionString(string path, bool readOnly) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        // A read-only open still asks for read-write, without create: a read-write connection removes the -wal and
        // -shm files when it closes, a read-only one leaves them behind. PRAGMA query_only keeps it from writing.
        Mode = readOnly ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,
        Pooling = false,
        DefaultTimeout = 30,
    }.ToString();

    public static SqliteConnection Open(string path, string connectionString, SqliteStoreOptions options)
    {
        var contents = Inspect(path);
        if (options.ReadOnly && contents != Contents.Store)
        {
            throw new StoreOpenException(path, contents == Contents.Missing
                ? "no store here (opened read-only, so none is created)"
                : "the file is empty, not a Bamboo store yet (opened read-only, so none is created)");
        }

        if (contents == Contents.Missing)
        {
            PrepareFolder(path, options.CreateFolder);
        }
        else if (contents == Contents.Empty)
        {
            RequireRegularFile(path);
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            try
            {
                connection.Open();
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 14)
            {
                // SQLITE_CANTOPEN: a path SQLite cannot make a database at (a folder it may not write, /proc): bad input,
                // not a store that failed.
                throw new StoreOpenException(path, "SQLite cannot open or create a database file here (is the folder writable?)", ex);
            }

            var cache = $"PRAGMA busy_timeout=30000; PRAGMA cache_size=-{Math.Max(1, options.CacheSizeMiB) * 1024};";
            if (options.ReadOnly)
            {
                connection.Execute("PRAGMA query_only=ON; " + cache);
                SchemaMigrator.RequireCurrent(connection, path);
                return connection;
            }

            // Before any setting is written: a store of a newer build is left exactly as it was.
            SchemaMigrator.RefuseNewer(connection, path);
            // 4 KiB pages: with group commit and the checkpoint off the writer, shallower b-trees and fewer page splits
            // beat the smaller commits of 1 KiB pages (measured per statement). page_size only applies to a new file.
            connection.Execute("PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF; " +
                $"PRAGMA wal_autocheckpoint={WalCheckpointer.WalLimitPages}; " + cache);
            SchemaMigrator.Apply(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A new store's folder must exist unless the caller allows creating it (a default location): a mistyped
    /// <c>--db</c> path should say so, not leave a folder behind.
    /// </summary>
    private static void PrepareFolder(string path, bool createFolder)
    {
        var folder = Path.GetDirectoryName(path);
        if (string.IsNullOrEmpty(folder) || Directory.Exists(folder))
        {
            return;
        }

        if (!createFolder)
        {
            throw new StoreOpenException(path, $"folder {folder} does not exist");
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new StoreOpenException(path, $"cannot create folder {folder} ({ex.Message})", ex);
        }
    }
}
