namespace Bamboo.Runtime.Postgres;

/// <summary>Where the shared store lives and how much of the server one process may use.</summary>
public sealed class PostgresStoreOptions
{
    /// <summary>An Npgsql connection string (<c>Host=...;Database=...;Username=...</c>).</summary>
    public string ConnectionString { get; set; } = "";

    /// <summary>Connections this process may hold at once (transactions in flight); one more listens for wake-ups.</summary>
    public int MaxConnections { get; set; } = 16;

    /// <summary>At most this many idle worker loops are woken when tasks become due (set to the engine's WorkerCount).</summary>
    public int WakeLimit { get; set; } = 4;
}
