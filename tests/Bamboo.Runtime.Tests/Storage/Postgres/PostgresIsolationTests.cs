namespace Bamboo.Runtime.Tests.Storage.Postgres;

public sealed class PostgresIsolationTests : IsolationTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("isolation");
}
