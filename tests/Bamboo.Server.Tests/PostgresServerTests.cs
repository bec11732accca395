using Bamboo.Engine.Building;
using Npgsql;

namespace Bamboo.Server.Tests;

/// <summary>
/// <c>bamboo serve --postgres</c>: the server's engine and workers on a PostgreSQL schema instead of the SQLite file
/// (Bamboo:Server:Postgres). Needs BAMBOO_TEST_POSTGRES, as the runtime's PostgreSQL suites do; CI sets it.
/// </summary>
[Trait("Category", "Postgres")]
public sealed class PostgresServerTests
{
    [Fact]
    public async Task Serve_OnPostgres_RunsAPipelineAndAnswersFromTheDatabase()
    {
        var server = Environment.GetEnvironmentVariable("BAMBOO_TEST_POSTGRES");
        Assert.SkipWhen(string.IsNullOrWhiteSpace(server), "BAMBOO_TEST_POSTGRES is not set: start a server with .ci/postgres and set it to the connection string that prints");
        var schema = "bamboo_test_server_" + Guid.NewGuid().ToString("N");
        await ExecuteAsync(server!, $"CREATE SCHEMA {schema}");
        try
        {
            var connection = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ConnectionString;
            await using var factory = new ServerFactory(tokens: false, new Dictionary<string, string?> { ["Bamboo:Server:Postgres"] = connection });
            var client = factory.Client();
            var pipeline = Trees.Sequence(new ServiceActivity("empty_node"), new ServiceActivity("empty_node"));

            var id = await client.StartAsync(pipeline);
            var outcome = await client.WaitAsync(id);

            Assert.Equal("finished", (string?)outcome["end"]);
            Assert.Equal(id, (string?)(await client.GetJsonAsync($"/api/pipelines/{id}"))["id"]);
            // The run is in PostgreSQL, not in a file beside the server.
            Assert.False(File.Exists(factory.DatabasePath));
            Assert.Equal(5L, await ScalarAsync(connection, $"SELECT COUNT(*) FROM states WHERE root_id = '{id}' AND name = 'FINISHED'"));
        }
        finally
        {
            await ExecuteAsync(server!, $"DROP SCHEMA IF EXISTS {schema} CASCADE");
        }
    }

    private static async Task ExecuteAsync(string connection, string sql) => await ScalarAsync(connection, sql);

    private static async Task<object?> ScalarAsync(string connection, string sql)
    {
        await using var c = new NpgsqlConnection(connection);
        await c.OpenAsync();
        await using var command = new NpgsqlCommand(sql, c);
        return await command.ExecuteScalarAsync();
    }
}
