using Bamboo.Runtime.Postgres;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

public sealed class PostgresRunStoreTests : RunStoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("runs");

    [Fact]
    public async Task InsertAsync_RunsOfEverySize_ShareOneCheckedStatement()
    {
        await WriteAsync(tx => tx.Runs.InsertAsync(Run("warm"), ["warm", "warm-a"]));
        var before = PostgresSession.CheckedTextCount;

        for (var size = 1; size <= 40; size++)
        {
            var root = $"p{size}";
            await WriteAsync(tx => tx.Runs.InsertAsync(Run(root), [root, .. Enumerable.Range(0, size).Select(i => $"{root}-{i}")]));
        }

        // A text per row count would be 40 more prepared statements; other tests running meanwhile add a bounded few.
        Assert.InRange(PostgresSession.CheckedTextCount - before, 0, 10);
    }
}
