namespace Bamboo.Runtime.Tests.Storage.Sqlite;

public sealed class SqliteStateStoreTests : StateStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new SqliteStoreDatabase("states");
}
