namespace Bamboo.Runtime.Tests.Storage.Sqlite;

public sealed class SqliteWorkerRegistryTests : WorkerRegistryTests
{
    protected override IStoreDatabase CreateDatabase() => new SqliteStoreDatabase("workers");
}
