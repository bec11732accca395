namespace Bamboo.Runtime.Tests.Storage.Sqlite;

public sealed class SqliteScheduleStoreTests : ScheduleStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new SqliteStoreDatabase("schedules");
}
