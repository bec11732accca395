using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

/// <summary>
/// A schema of its own per test on the server of <see cref="PostgresServer"/>, made when the first store opens and
/// dropped on dispose. Stores open with due times on the test's clock unless <paramref name="databaseClock"/>: the
/// suites steer delays with a fake clock, and a database's clock cannot be faked. With one write transaction at a
/// time (<paramref name="writeTransactions"/>), callers that arrive while it runs are sure to share the next.
/// </summary>
internal sealed class PostgresStoreDatabase(string prefix, bool databaseClock = false, int writeTransactions = 4) : IStoreDatabase
{
    // Read now: without a server the test is skipped before it opens anything.
    private readonly string _server = PostgresServer.ConnectionString;
    private string? _schema;

    /// <summary>The schema (made by the first <see cref="OpenStoreAsync"/>), which is also its sessions' application_name.</summary>
    public string Schema => _schema ?? throw new InvalidOperationException("no store was opened yet");

    /// <summary>The connection string of this database's schema (made by the first <see cref="OpenStoreAsync"/>).</summary>
    public string ConnectionString => PostgresServer.ConnectionTo(_server, _schema ?? throw new InvalidOperationException("no store was opened yet"));

    public async Task<IEngineStore> OpenStoreAsync(TimeProvider time) =>
        await PostgresStore.OpenAsync(await OptionsAsync(), time);

    /// <summary>The options a store of this database opens with; the schema is made on the first call.</summary>
    public async Task<PostgresStoreOptions> OptionsAsync()
    {
        _schema ??= await PostgresServer.CreateSchemaAsync(_server, prefix);
        return new PostgresStoreOptions { ConnectionString = ConnectionString, ProcessClock = !databaseClock, MaxConnections = 8, WriteTransactions = writeTransactions };
    }

    public async Task<long> CountAsync(string sql) => Convert.ToInt64(await PostgresServer.ScalarAsync(ConnectionString, sql), System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (_schema is not null)
        {
            await PostgresServer.DropSchemaAsync(_server, _schema);
        }
    }
}
