using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

/// <summary>The session's per-process state stays bounded however many transactions a store runs.</summary>
public sealed class PostgresSessionTests : StoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("session");

    [Fact]
    public async Task ExecuteAsync_ManyTransactions_ConvertEachStatementTextOnce()
    {
        await Sut.WriteAsync(tx => tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, "warm")));
        await Sut.WriteAsync(tx => tx.Tasks.ClaimAsync("a", WorkFilter.Any));
        var before = PostgresSession.ConvertedTexts;

        for (var i = 0; i < 300; i++)
        {
            await Sut.WriteAsync(tx => tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, $"n{i}")));
            await Sut.WriteAsync(tx => tx.Tasks.ClaimAsync("a", WorkFilter.Any));
        }

        // Other tests running meanwhile add their own statements, a bounded number; one per transaction is a leak.
        Assert.InRange(PostgresSession.ConvertedTexts - before, 0, 200);
    }
}
