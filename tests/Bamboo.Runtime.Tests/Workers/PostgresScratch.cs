using Bamboo.Runtime.Tests.Storage.Postgres;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>
/// A schema of its own on the test server (<see cref="PostgresServer"/>), dropped on dispose; null when
/// BAMBOO_TEST_POSTGRES is not set (the tests that need it then skip; CI sets it).
/// </summary>
internal sealed class PostgresScratch : IAsyncDisposable
{
    public const string Variable = PostgresServer.Variable;

    private readonly string _server;
    private readonly string _schema;

    private PostgresScratch(string server, string schema) => (_server, _schema) = (server, schema);

    /// <summary>A connection string whose search path is this schema.</summary>
    public string Connection => PostgresServer.ConnectionTo(_server, _schema);

    public static async Task<PostgresScratch?> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        return string.IsNullOrWhiteSpace(server) ? null : new PostgresScratch(server, await PostgresServer.CreateSchemaAsync(server, "scratch"));
    }

    /// <summary>The single number a query returns, on a connection of its own.</summary>
    public async Task<long> CountAsync(string sql) =>
        Convert.ToInt64(await PostgresServer.ScalarAsync(Connection, sql), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A query's rows as text, one line each: what a failing test shows of the store.</summary>
    public async Task<string> TextAsync(string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Connection);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => reader.IsDBNull(i) ? "null" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
        }

        return string.Join("\n", lines);
    }

    public async ValueTask DisposeAsync() => await PostgresServer.DropSchemaAsync(_server, _schema);
}
