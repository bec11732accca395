namespace Bamboo.Runtime.Tests.Storage.Postgres;

public sealed class PostgresStateStoreTests : StateStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("states");
}
