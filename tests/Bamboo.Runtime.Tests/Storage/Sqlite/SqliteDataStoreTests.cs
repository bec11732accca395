namespace Bamboo.Runtime.Tests.Storage.Sqlite;

public sealed class SqliteDataStoreTests : DataStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new SqliteStoreDatabase("data");
}
