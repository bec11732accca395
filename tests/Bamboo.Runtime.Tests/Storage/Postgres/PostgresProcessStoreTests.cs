namespace Bamboo.Runtime.Tests.Storage.Postgres;

public sealed class PostgresProcessStoreTests : ProcessStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("processes");
}
