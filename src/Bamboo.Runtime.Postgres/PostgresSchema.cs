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

    public static async Task ApplyAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
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
        await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({LockKey})", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, transaction, "CREATE TABLE IF NOT EXISTS bamboo_schema (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())", cancellationToken).ConfigureAwait(false);
        var current = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM bamboo_schema", connection, transaction);
        await using (current.ConfigureAwait(false))
        {
            var version = (long)(await current.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
            var known = scripts.Count == 0 ? 0 : scripts[^1].Version;
            if (version > known)
            {
                throw new InvalidOperationException($"the database's schema is version {version}, newer than this Bamboo knows ({known}); upgrade Bamboo");
            }

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
