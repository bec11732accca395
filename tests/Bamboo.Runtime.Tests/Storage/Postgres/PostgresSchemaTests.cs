using Bamboo.Engine.Exceptions;
using Bamboo.Runtime.Postgres;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

/// <summary>
/// Schema scripts run once each, recorded in bamboo_schema, under an advisory lock: stores opening at once on an empty
/// database migrate it once between them, and a database migrated by a newer Bamboo is refused rather than misread.
/// </summary>
public sealed class PostgresSchemaTests : IAsyncDisposable
{
    private static readonly int Scripts = typeof(PostgresStore).Assembly.GetManifestResourceNames().Count(n => n.EndsWith(".sql", StringComparison.Ordinal));

    private readonly PostgresStoreDatabase _db = new("schema");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UnixEpoch.AddDays(20000));

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    private async Task OpenAndCloseAsync()
    {
        await using var store = await PostgresStore.OpenAsync(await _db.OptionsAsync(), _time);
    }

    [Fact]
    public async Task OpenAsync_SeveralStoresAtOnceOnAnEmptyDatabase_ApplyEachScriptOnce()
    {
        await _db.OptionsAsync();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(OpenAndCloseAsync)));

        Assert.Equal(Scripts, await _db.CountAsync("SELECT COUNT(*) FROM bamboo_schema"));
        Assert.Equal(Scripts, await _db.CountAsync("SELECT COUNT(DISTINCT version) FROM bamboo_schema"));
        Assert.Equal(0L, await _db.CountAsync("SELECT COUNT(*) FROM tasks"));
    }

    [Fact]
    public async Task OpenAsync_CurrentSchema_RunsNoScriptAgain()
    {
        await OpenAndCloseAsync();
        var applied = await _db.CountAsync("SELECT CAST(EXTRACT(EPOCH FROM MAX(applied_at)) * 1000000 AS BIGINT) FROM bamboo_schema");

        await OpenAndCloseAsync();

        Assert.Equal(Scripts, await _db.CountAsync("SELECT COUNT(*) FROM bamboo_schema"));
        Assert.Equal(applied, await _db.CountAsync("SELECT CAST(EXTRACT(EPOCH FROM MAX(applied_at)) * 1000000 AS BIGINT) FROM bamboo_schema"));
    }

    [Fact]
    public async Task OpenAsync_SchemaOfANewerBamboo_IsRefusedSayingWhichVersions()
    {
        await OpenAndCloseAsync();
        await PostgresServer.ExecuteAsync(_db.ConnectionString, "INSERT INTO bamboo_schema (version) VALUES (9999)");

        var error = await Assert.ThrowsAsync<StoreOpenException>(OpenAndCloseAsync);

        Assert.Contains("9999", error.Message, StringComparison.Ordinal);
        Assert.Contains($"({Scripts})", error.Message, StringComparison.Ordinal);
        Assert.Contains("upgrade Bamboo", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenAsync_SearchPathNamingNoSchemaYet_CreatesItAndTheStoreInIt()
    {
        var server = PostgresServer.ConnectionString;
        var schema = $"bamboo_test_new_{Guid.NewGuid():N}";
        try
        {
            // Mixed case and unquoted, as a user types it: PostgreSQL folds it, and so does the store.
            var options = new PostgresStoreOptions { ConnectionString = PostgresServer.ConnectionTo(server, schema.ToUpperInvariant()), ProcessClock = true };
            await using (await PostgresStore.OpenAsync(options, _time))
            {
            }

            Assert.Equal((long)Scripts, Convert.ToInt64(await PostgresServer.ScalarAsync(PostgresServer.ConnectionTo(server, schema), "SELECT COUNT(*) FROM bamboo_schema"), System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            await PostgresServer.DropSchemaAsync(server, schema);
        }
    }

    [Fact]
    public async Task OpenAsync_ReadOnlyOnASchemaWithoutAStore_IsRefusedAndCreatesNothing()
    {
        var options = await _db.OptionsAsync();
        options.ReadOnly = true;

        var error = await Assert.ThrowsAsync<StoreOpenException>(() => PostgresStore.OpenAsync(options, _time));

        Assert.Contains("no Bamboo store here (opened read-only, so none is created)", error.Message, StringComparison.Ordinal);
        Assert.Contains(_db.Schema, error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await _db.CountAsync($"SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '{_db.Schema}'"));
    }

    [Fact]
    public async Task OpenAsync_ReadOnlyOnAnOlderSchema_IsRefusedSayingWhatUpgradesIt()
    {
        await OpenAndCloseAsync();
        await PostgresServer.ExecuteAsync(_db.ConnectionString, $"DELETE FROM bamboo_schema WHERE version = {Scripts}");
        var options = await _db.OptionsAsync();
        options.ReadOnly = true;

        var error = await Assert.ThrowsAsync<StoreOpenException>(() => PostgresStore.OpenAsync(options, _time));

        Assert.Contains($"version {Scripts - 1}, older than this Bamboo's ({Scripts})", error.Message, StringComparison.Ordinal);
        Assert.Equal(Scripts - 1L, await _db.CountAsync("SELECT COUNT(*) FROM bamboo_schema"));
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("Foo=bar")]
    [InlineData("Host=/tmp;Timeout=abc")]
    public async Task OpenAsync_MalformedConnectionString_IsRefusedSayingSo(string connectionString)
    {
        var error = await Assert.ThrowsAsync<StoreOpenException>(() => PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connectionString }, _time));

        Assert.StartsWith("the PostgreSQL connection string is not valid: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("(Parameter", error.Message, StringComparison.Ordinal);
    }
}
