namespace Bamboo.Runtime.Tests.Storage.Sqlite;

public sealed class SqliteTaskStoreTests : TaskStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new SqliteStoreDatabase("tasks");
}
