namespace Bamboo.Runtime.Tests.Storage.Sqlite;

public sealed class SqliteRunStoreTests : RunStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new SqliteStoreDatabase("runs");
}
