namespace Bamboo.Runtime.Tests.Storage.Postgres;

public sealed class PostgresTaskStoreTests : TaskStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("tasks");
}
