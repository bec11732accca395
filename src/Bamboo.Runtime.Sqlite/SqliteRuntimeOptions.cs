namespace Bamboo.Runtime.Sqlite;

/// <summary>Where the embedded store lives.</summary>
public sealed class SqliteRuntimeOptions
{
    /// <summary>Path of the database file; created when missing.</summary>
    public string DatabasePath { get; set; } = "bamboo.db";
}
