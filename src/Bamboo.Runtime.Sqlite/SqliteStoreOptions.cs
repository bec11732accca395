namespace Bamboo.Runtime.Sqlite;

/// <summary>Where the embedded store lives, and how it uses memory.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>Path of the database file; created when missing.</summary>
    public string DatabasePath { get; set; } = "bamboo.db";

    /// <summary>
    /// The writer's page cache, in MiB (SQLite's default is 2). Every step inserts into the states b-tree at a random
    /// place, so once a store outgrows the cache each step reads pages back from the file: with 80,000 states an
    /// insert took about 9 µs with 2 MiB and 4.5 µs with 64 MiB on the reference machine.
    /// </summary>
    public int CacheSizeMiB { get; set; } = 64;

    /// <summary>At most this many idle worker loops are woken when a commit makes tasks due (set to the engine's WorkerCount).</summary>
    public int WakeLimit { get; set; } = 4;
}
