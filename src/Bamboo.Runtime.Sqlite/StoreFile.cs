using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>Opens the store's file for the writer: settings, then the schema brought up to date.</summary>
internal static class StoreFile
{
    public static SqliteConnection Open(string path, string connectionString, SqliteStoreOptions options)
    {
        var directory = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            // 4 KiB pages: with group commit and the checkpoint off the writer, shallower b-trees and fewer page splits
            // beat the smaller commits of 1 KiB pages (measured per statement). page_size only applies to a new file.
            connection.Execute("PRAGMA page_size=4096; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF; " +
                $"PRAGMA wal_autocheckpoint={WalCheckpointer.WalLimitPages}; PRAGMA cache_size=-{Math.Max(1, options.CacheSizeMiB) * 1024};");
            SchemaMigrator.Apply(connection);
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }
}
