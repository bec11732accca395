using Bamboo.Runtime.Relational;

namespace Bamboo.Runtime.Sqlite;

/// <summary>SQLite's SQL where it differs: JSON arrays through json_each, and INSERT OR IGNORE.</summary>
internal sealed class SqliteDialect : SqlDialect
{
    public static SqliteDialect Instance { get; } = new();

    public override string JsonStrings(string parameter) => $"SELECT value FROM json_each({parameter})";

    // OR IGNORE keeps no statement journal for a multi-row insert; an upsert's DO NOTHING may.
    public override string InsertIgnore => "INSERT OR IGNORE INTO";

    public override string InsertIgnoreEnd => "";

    // One writer: nothing can take the row between the claim's read and its update.
    public override string ClaimLock => "";

    public override string RowLock => "";
}
