using Npgsql;

namespace Bamboo.Cli.Conformance;

/// <summary>A fresh, empty store for one scenario: a temp SQLite file, or a new schema in a PostgreSQL database.</summary>
internal abstract class ScratchStore : IAsyncDisposable
{
    public abstract Commands.StoreLocation Location { get; }

    public abstract ValueTask DisposeAsync();

    /// <summary>Makes scratch stores of a runtime: "sqlite", or "postgres" in the database <paramref name="connection"/> names.</summary>
    public static Func<Task<ScratchStore>> Factory(string runtime, string? connection) => runtime switch
    {
        "sqlite" => () => Task.FromResult<ScratchStore>(new SqliteScratch()),
        "postgres" when !string.IsNullOrWhiteSpace(connection) => PostgresScratch.Factory(connection),
        "postgres" => throw new ArgumentException("--runtime postgres needs --connection (or BAMBOO_POSTGRES)"),
        _ => throw new ArgumentException($"unknown runtime {runtime}; available: sqlite, postgres"),
    };

    private sealed class SqliteScratch : ScratchStore
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), "bamboo-conformance-" + Guid.NewGuid().ToString("N") + ".db");

        public override Commands.StoreLocation Location => new(_path, null);

        public override ValueTask DisposeAsync()
        {
            foreach (var f in new[] { _path, _path + "-wal", _path + "-shm" })
            {
                File.Delete(f);
            }

            return ValueTask.CompletedTask;
        }
    }

    private sealed class PostgresScratch(string connection, string schema) : ScratchStore
    {
        public override Commands.StoreLocation Location =>
            new(null, new NpgsqlConnectionStringBuilder(connection) { SearchPath = schema }.ConnectionString);

        /// <summary>Checks the connection string once, up front: a malformed one is bad input, not a failed scenario.</summary>
        public static Func<Task<ScratchStore>> Factory(string connection)
        {
            try
            {
                Runtime.Postgres.PostgresStore.ParseConnectionString(connection);
            }
            catch (Engine.Exceptions.StoreOpenException ex)
            {
                throw new ArgumentException($"--connection: {ex.Message}", ex);
            }

            return () => CreateAsync(connection);
        }

        private static async Task<ScratchStore> CreateAsync(string connection)
        {
            var schema = "bamboo_conformance_" + Guid.NewGuid().ToString("N");
            await ExecuteAsync(connection, $"CREATE SCHEMA {schema}");
            return new PostgresScratch(connection, schema);
        }

        public override async ValueTask DisposeAsync() => await ExecuteAsync(connection, $"DROP SCHEMA IF EXISTS {schema} CASCADE");

        private static async Task ExecuteAsync(string connection, string sql)
        {
            await using var db = new NpgsqlConnection(connection);
            await db.OpenAsync();
            await using var command = new NpgsqlCommand(sql, db);
            await command.ExecuteNonQueryAsync();
        }
    }
}
