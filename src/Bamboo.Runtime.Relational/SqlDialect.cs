namespace Bamboo.Runtime.Relational;

/// <summary>
/// The only place where the databases differ in the SQL the stores run. Everything else (statements, row mapping,
/// queue rules) is written once in the stores.
/// </summary>
internal abstract class SqlDialect
{
    /// <summary>A subquery of the strings in the JSON array bound to <paramref name="parameter"/> (e.g. "$0").</summary>
    public abstract string JsonStrings(string parameter);

    /// <summary>The start of an INSERT that skips rows whose key is taken; <see cref="InsertIgnoreEnd"/> closes it.</summary>
    public abstract string InsertIgnore { get; }

    public abstract string InsertIgnoreEnd { get; }

    /// <summary>What follows a claim's SELECT so that concurrent claimers pass over each other's rows ("" where one writer claims).</summary>
    public abstract string ClaimLock { get; }

    /// <summary>
    /// What follows a SELECT of rows a write transaction reads to rewrite, so that concurrent writers of one row take
    /// turns and none rewrites what another committed meanwhile ("" where one writer runs at a time).
    /// </summary>
    public abstract string RowLock { get; }
}
