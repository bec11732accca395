using Npgsql;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>
/// A schema of its own in the PostgreSQL database that BAMBOO_TEST_POSTGRES names, dropped on dispose; null when the
/// variable is not set (the tests that need it then skip; CI sets it).
/// </summary>
internal sealed class PostgresScratch : IAsyncDisposable
{
    public const string Variable = "BAMBOO_TEST_POSTGRES";

    private readonly string _server;
    private readonly string _schema = "bamboo_test_" + Guid.NewGuid().ToString("N");

    private PostgresScratch(string server) => _server = server;

    /// <summary>A connection string whose search path is this schema.</summary>
    public string Connection => new NpgsqlConnectionStringBuilder(_server) { SearchPath = _schema }.ConnectionString;

    public static async Task<PostgresScratch?> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(server))
        {
            return null;
        }

        var scratch = new PostgresScratch(server);
        await scratch.ExecuteAsync($"CREATE SCHEMA {scratch._schema}");
        return scratch;
    }

    /// <summary>The single number a query returns, on a connection of its own.</summary>
    public async Task<long> CountAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(Connection);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync() => await ExecuteAsync($"DROP SCHEMA IF EXISTS {_schema} CASCADE");
}
