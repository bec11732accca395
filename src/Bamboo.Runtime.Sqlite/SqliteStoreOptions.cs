namespace Bamboo.Runtime.Sqlite;

/// <summary>Where the embedded store lives, how it is opened, and how it uses memory.</summary>
public sealed class SqliteStoreOptions
{
    /// <summary>
    /// Path of the database file. A missing or empty file becomes a new store unless <see cref="ReadOnly"/> is set; a
    /// file that is not a Bamboo store (not SQLite, or another application's SQLite database) is refused untouched.
    /// </summary>
    public string DatabasePath { get; set; } = "bamboo.db";

    /// <summary>
    /// Opens an existing store for reading only: nothing is created, migrated or written, and a store whose schema is
    /// older or newer than this build's is refused. For commands that only look (states, show, list, outputs).
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// Creates the folder of a new store's file when it is missing. Meant for a default location (such as the CLI's
    /// .bamboo/); off, a missing folder is an error, so a mistyped path leaves no folders behind.
    /// </summary>
    public bool CreateFolder { get; set; }

    /// <summary>
    /// The writer's page cache, in MiB (SQLite's default is 2). Every step inserts into the states b-tree at a random
    /// place, so once a store outgrows the cache each step reads pages back from the file: with 80,000 states an
    /// insert took about 9 µs with 2 MiB and 4.5 µs with 64 MiB on the reference machine.
    /// </summary>
    public int CacheSizeMiB { get; set; } = 64;

    /// <summary>At most this many idle worker loops are woken when a commit makes tasks due (set to the engine's WorkerCount).</summary>
    public int WakeLimit { get; set; } = 4;
}
