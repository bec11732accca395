namespace Bamboo.Runtime.Tests.Storage.Sqlite;

public sealed class SqliteProcessStoreTests : ProcessStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new SqliteStoreDatabase("processes");
}
