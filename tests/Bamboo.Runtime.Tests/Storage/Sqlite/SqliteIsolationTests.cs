namespace Bamboo.Runtime.Tests.Storage.Sqlite;

public sealed class SqliteIsolationTests : IsolationTests
{
    protected override IStoreDatabase CreateDatabase() => new SqliteStoreDatabase("isolation");
}
