using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

/// <summary>
/// PostgreSQL's session holds the writes whose outcome the caller does not wait for and sends them with the next
/// statement that answers, or with the COMMIT. A held write whose check fails still fails its work, whatever the work
/// does after it, and nothing of the work commits; the connection goes back to the pool fit for the next transaction.
/// The suites every dialect runs (StateStoreTests, TaskStoreTests, IsolationTests) check the rest.
/// </summary>
public sealed class HeldWriteTests : StoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("held", databaseClock: true);

    [Fact]
    public async Task WriteAsync_WorkCatchesEverythingAfterAFailedCheck_StillFailsWithTheCheckAndCommitsNothing()
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("a", "v2", "RUNNING")));

        // Run at once (SQLite), the update would throw and the work could swallow it; held, it fails the work at its end.
        await Assert.ThrowsAsync<StateVersionNotMatchException>(() => WriteAsync(async tx =>
        {
            try
            {
                await tx.States.UpdateOrThrowAsync(State("a", "v3", "FAILED"), "v1");
                await tx.States.GetAsync("a");
            }
            catch (StateVersionNotMatchException)
            {
                // A work that would go on regardless.
            }

            await tx.States.InsertAsync(State("written-after"));
        }));

        Assert.Null(await Sut.ReadAsync(tx => tx.States.GetAsync("written-after")));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WriteAsync_ChecksFailingAgainAndAgain_LeaveEveryConnectionFitForTheNext(bool readAfter)
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("a", "v2", "RUNNING")));

        // More failures than the pool has connections: each went back to the pool after its failed commit or check.
        for (var i = 0; i < 20; i++)
        {
            await Assert.ThrowsAsync<StateVersionNotMatchException>(() => WriteAsync(async tx =>
            {
                await tx.States.InsertAsync(State($"n{i}"));
                await tx.States.UpdateOrThrowAsync(State("a", "v3", "FAILED"), "v1");
                if (readAfter)
                {
                    await tx.States.GetAsync("a");
                }
            }));
        }

        await WriteAsync(tx => tx.States.UpdateOrThrowAsync(State("a", "v3", "FINISHED"), "v2"));
        Assert.Equal(1L, await Database.CountAsync("SELECT COUNT(*) FROM states"));
        Assert.Equal("FINISHED", (await Sut.ReadAsync(tx => tx.States.GetAsync("a")))!.Name);
    }

    [Fact]
    public async Task WriteAsync_ManyTransactions_ReadTheServersClockOnce()
    {
        var clock = ((PostgresStore)Sut).DatabaseClock;
        await WriteAsync(async tx => await tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, "n")));
        var before = clock.Reads;

        for (var i = 0; i < 50; i++)
        {
            await WriteAsync(async tx => await tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, $"n{i}")));
            await Sut.NextDueInAsync(WorkFilter.Any);
        }

        // Read again only when the estimate is older than its refresh interval, which a slow machine may reach once.
        Assert.InRange(clock.Reads - before, 0, 1);
    }
}
