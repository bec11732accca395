namespace Bamboo.Runtime.Tests.Storage.Postgres;

public sealed class PostgresDataStoreTests : DataStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("data");
}
