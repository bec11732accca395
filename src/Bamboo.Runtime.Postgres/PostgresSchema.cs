using Bamboo.Engine.Exceptions;
using Npgsql;

namespace Bamboo.Runtime.Postgres;

/// <summary>
/// Brings a database's schema up to date: the embedded scripts Schema/NNNN_*.sql above the recorded version, each in
/// one transaction with its record, under an advisory lock so processes that start at once migrate it once.
/// </summary>
internal static class PostgresSchema
{
    // An arbitrary key that Bamboo's processes agree on; the lock is held only for the migration's transaction.
    private const long LockKey = 0x62616d626f6f;

    /// <summary>
    /// Migrates the schema, creating the connection's search-path schema first when it does not exist yet. Read-only, it
    /// changes nothing and refuses a database without a Bamboo store or with another schema version.
    /// </summary>
    public static async Task ApplyAsync(NpgsqlDataSource dataSource, bool readOnly, string where, CancellationToken cancellationToken)
    {
        var assembly = typeof(PostgresSchema).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n, Version: Version(n)))
            .OrderBy(s => s.Version)
            .ToList();
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionLifetime = transaction.ConfigureAwait(false);
        var known = scripts.Count == 0 ? 0 : scripts[^1].Version;
        if (readOnly)
        {
            if (!await ScalarAsync<bool>(connection, transaction, "SELECT to_regclass('bamboo_schema') IS NOT NULL", cancellationToken).ConfigureAwait(false))
            {
                throw new StoreOpenException(where, "no Bamboo store here (opened read-only, so none is created)");
            }

            var stored = await ScalarAsync<long>(connection, transaction, "SELECT COALESCE(MAX(version), 0) FROM bamboo_schema", cancellationToken).ConfigureAwait(false);
            RequireKnown(stored, known, where);
            if (stored < known)
            {
                throw new StoreOpenException(where, $"the store's schema is version {stored}, older than this Bamboo's ({known}); a command that writes (run, worker, serve) upgrades it");
            }

            return;
        }

        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken).ConfigureAwait(false);
        await CreateSearchPathSchemaAsync(dataSource, connection, transaction, cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS bamboo_schema (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", cancellationToken).ConfigureAwait(false);
        var current = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM bamboo_schema", connection, transaction);
        await using (current.ConfigureAwait(false))
        {
            var version = (long)(await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            RequireKnown(version, known, where);

            foreach (var (name, number) in scripts.Where(s => s.Version > version))
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                await ExecuteAsync(connection, transaction, await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, $"INSERT INTO bamboo_schema (version) VALUES ({number})", cancellationToken).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static void RequireKnown(long version, int known, string where)
    {
        if (version > known)
        {
            throw new StoreOpenException(where, $"the store's schema is version {version}, newer than this Bamboo knows ({known}); upgrade Bamboo");
        }
    }

    /// <summary>
    /// A <c>Search Path</c> naming a schema that does not exist leaves nowhere to create tables in: the first schema it
    /// names is created, so a new store in its own schema needs no step by hand.
    /// </summary>
    private static async Task CreateSearchPathSchemaAsync(NpgsqlDataSource dataSource, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        if (await ScalarAsync<string?>(connection, transaction, "SELECT current_schema()", cancellationToken).ConfigureAwait(false) is not null
            || FirstSchema(new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).SearchPath) is not { } schema)
        {
            return;
        }

        await ExecuteAsync(connection, transaction, $"CREATE SCHEMA IF NOT EXISTS \"{schema.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The first schema a search path names, as PostgreSQL reads it (unquoted names fold to lower case); null for none or <c>$user</c>.</summary>
    internal static string? FirstSchema(string? searchPath)
    {
        var first = searchPath?.Split(',')[0].Trim();
        if (string.IsNullOrEmpty(first) || first is "$user" or "\"$user\"")
        {
            return null;
        }

        return first.Length >= 2 && first[0] == '"' && first[^1] == '"'
            ? first[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal)
            : first.ToLowerInvariant();
    }

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using var commandLifetime = command.ConfigureAwait(false);
        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull or null ? default! : (T)value;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using var commandLifetime = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // "Bamboo.Runtime.Postgres.Schema.0001_initial.sql" → 1
    private static int Version(string resourceName)
    {
        var file = resourceName[(resourceName.IndexOf(".Schema.", StringComparison.Ordinal) + ".Schema.".Length)..];
        return int.Parse(file[..file.IndexOf('_', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
    }
}
