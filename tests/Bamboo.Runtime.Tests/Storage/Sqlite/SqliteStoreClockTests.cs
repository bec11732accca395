namespace Bamboo.Runtime.Tests.Storage.Sqlite;

public sealed class SqliteStoreClockTests : StoreClockTests
{
    protected override IStoreDatabase CreateDatabase() => new SqliteStoreDatabase("clock");
}
