using Npgsql;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

/// <summary>
/// The PostgreSQL server the tests use, named by one environment variable (CI sets it; .ci/postgres starts one and
/// prints its connection string). Tests get schemas of their own on it, so they run in parallel and leave nothing.
/// </summary>
internal static class PostgresServer
{
    public const string Variable = "BAMBOO_TEST_POSTGRES";

    /// <summary>The server's connection string; without one the calling test is skipped, saying how to run it.</summary>
    public static string ConnectionString
    {
        get
        {
            var connection = Environment.GetEnvironmentVariable(Variable);
            Assert.SkipWhen(string.IsNullOrWhiteSpace(connection), $"{Variable} is not set: start a server with .ci/postgres and set it to the connection string that prints");
            return connection!;
        }
    }

    /// <summary>A new, empty schema on <paramref name="server"/>; <see cref="ConnectionTo"/> gives the connection string that uses it.</summary>
    public static async Task<string> CreateSchemaAsync(string server, string prefix)
    {
        var schema = $"bamboo_test_{prefix}_{Guid.NewGuid():N}";
        await ExecuteAsync(server, $"CREATE SCHEMA {schema}");
        return schema;
    }

    public static Task DropSchemaAsync(string server, string schema) => ExecuteAsync(server, $"DROP SCHEMA IF EXISTS {schema} CASCADE");

    /// <summary>
    /// The server's connection string with <paramref name="schema"/> as the only schema searched; its sessions are
    /// named after the schema too (pg_stat_activity.application_name), so a test can find its own.
    /// </summary>
    public static string ConnectionTo(string server, string schema) =>
        new NpgsqlConnectionStringBuilder(server) { SearchPath = schema, ApplicationName = schema }.ConnectionString;

    public static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row of a query, on a connection of its own.</summary>
    public static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }
}
