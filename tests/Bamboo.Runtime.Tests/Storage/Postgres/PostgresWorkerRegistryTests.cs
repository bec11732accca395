namespace Bamboo.Runtime.Tests.Storage.Postgres;

public sealed class PostgresWorkerRegistryTests : WorkerRegistryTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("workers");
}
