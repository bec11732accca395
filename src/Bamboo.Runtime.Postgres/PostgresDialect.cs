using Bamboo.Runtime.Relational;

namespace Bamboo.Runtime.Postgres;

/// <summary>PostgreSQL's SQL where it differs: JSON arrays through jsonb, upserts that skip, claims that skip locked rows.</summary>
internal sealed class PostgresDialect : SqlDialect
{
    public static PostgresDialect Instance { get; } = new();

    public override string JsonStrings(string parameter) => $"SELECT value FROM jsonb_array_elements_text(CAST({parameter} AS jsonb)) AS value";

    public override string InsertIgnore => "INSERT INTO";

    public override string InsertIgnoreEnd => " ON CONFLICT DO NOTHING";

    // Many workers claim at once: each passes over the rows another is claiming instead of queueing behind its lock.
    public override string ClaimLock => " FOR UPDATE SKIP LOCKED";

    // Writers run at once under read committed: the engine rewrites processes and schedules whole after reading them.
    public override string RowLock => " FOR UPDATE";
}
