namespace Bamboo.Runtime.Tests.Storage.Postgres;

public sealed class PostgresRunStoreTests : RunStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("runs");
}
