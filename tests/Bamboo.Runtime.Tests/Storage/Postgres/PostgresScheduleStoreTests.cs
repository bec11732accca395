namespace Bamboo.Runtime.Tests.Storage.Postgres;

public sealed class PostgresScheduleStoreTests : ScheduleStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("schedules");
}
