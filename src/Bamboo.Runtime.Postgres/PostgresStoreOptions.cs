namespace Bamboo.Runtime.Postgres;

/// <summary>Where the shared store lives and how much of the server one process may use.</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>An Npgsql connection string (<c>Host=...;Database=...;Username=...</c>).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>
    /// Opens an existing store for reading only: no schema or table is created or migrated, and a database without a
    /// Bamboo store, or with another schema version, is refused. For commands that only look (states, show, list).
    /// </summary>
    public bool ReadOnly { get; set; }

    /// <summary>Connections this process may hold at once (transactions in flight); one more listens for wake-ups.</summary>
    public int MaxConnections { get; set; } = 16;

    /// <summary>
    /// Write transactions this process runs at once. Steps that arrive while all are busy queue, and the next one to
    /// begin carries them all (group commit): fewer, larger transactions cost the server less than one per step.
    /// </summary>
    public int WriteTransactions { get; set; } = 4;

    /// <summary>At most this many idle worker loops are woken when tasks become due (set to the engine's WorkerCount).</summary>
    public int WakeLimit { get; set; } = 4;

    /// <summary>
    /// Due times on the clock of the TimeProvider the store is opened with instead of the database's. For tests, which
    /// steer due times with a fake clock; a shared store keeps the database's, the one clock every host agrees on.
    /// </summary>
    internal bool ProcessClock { get; set; }
}
