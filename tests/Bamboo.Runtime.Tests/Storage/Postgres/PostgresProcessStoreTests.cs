using Bamboo.Runtime.Postgres;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

public sealed class PostgresProcessStoreTests : ProcessStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("processes");

    [Fact]
    public async Task InsertAllAsync_AFork_SendsEveryChildInOneRoundTrip()
    {
        var store = (PostgresStore)Sut;
        await Sut.WriteAsync(tx => tx.Processes.InsertAsync(Process("root", "warm")));
        var before = store.RoundTrips;

        await Sut.WriteAsync(tx => tx.Processes.InsertAllAsync([.. Enumerable.Range(0, 20).Select(i => Process("root", $"branch{i}"))]));

        // One for BEGIN and the inserts, one for the COMMIT: not one per child.
        Assert.Equal(2, store.RoundTrips - before);
    }
}
