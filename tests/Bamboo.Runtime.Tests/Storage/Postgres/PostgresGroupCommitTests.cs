using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Relational;

namespace Bamboo.Runtime.Tests.Storage.Postgres;

/// <summary>
/// PostgreSQL's group commit: callers that queue while the store's one write transaction runs share the next one,
/// each behind a savepoint, and a work's held writes go out with the next work's first statement. A work that fails,
/// at once or only when its held writes reach the server, is undone alone; the works after it never see its writes.
/// </summary>
public sealed class PostgresGroupCommitTests : StoreTests
{
    protected override IStoreDatabase CreateDatabase() => new PostgresStoreDatabase("group", writeTransactions: 1);

    /// <summary>Starts a first transaction and keeps it open, holding the store's one lane, until the release is set.</summary>
    private async Task<(Task First, TaskCompletionSource Release)> HoldTheLaneAsync()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = WriteAsync(async tx =>
        {
            await tx.States.InsertAsync(State("first"));
            started.SetResult();
            await release.Task;
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        return (first, release);
    }

    /// <summary>Holds a first transaction open while <paramref name="works"/> queue, so they share the next one.</summary>
    private async Task<List<Task<T>>> QueueBehindHeldCommitAsync<T>(IEnumerable<Func<IStoreTransaction, ValueTask<T>>> works)
    {
        var (first, release) = await HoldTheLaneAsync();
        var queued = works.Select(work => Sut.WriteAsync(work)).ToList();
        release.SetResult();
        await first;
        return queued;
    }

    private static async ValueTask<long> TransactionIdAsync(IStoreTransaction tx) =>
        (await ((RelationalTransaction)tx).Session.QueryAsync("SELECT txid_current()", r => r.GetInt64(0)))[0];

    [Fact]
    public async Task WriteAsync_CallersQueuedTogether_ShareOneTransaction_AndFailingOnesUndoOnlyTheirOwnWrites()
    {
        // Eight: as many as one transaction carries.
        var queued = await QueueBehindHeldCommitAsync(Enumerable.Range(0, 8).Select(i => (Func<IStoreTransaction, ValueTask<long>>)(async tx =>
        {
            await tx.States.InsertAsync(State($"n{i}"));
            var id = await TransactionIdAsync(tx);
            return i % 3 == 0 ? throw new InvalidOperationException($"work {i} fails") : id;
        })));

        var transactions = new HashSet<long>();
        for (var i = 0; i < queued.Count; i++)
        {
            if (i % 3 == 0)
            {
                Assert.Equal($"work {i} fails", (await Assert.ThrowsAsync<InvalidOperationException>(() => queued[i])).Message);
            }
            else
            {
                transactions.Add(await queued[i]);
            }
        }

        Assert.Single(transactions);
        var stored = await Sut.ReadAsync(async tx => (await tx.States.GetManyAsync([.. Enumerable.Range(0, 8).Select(i => $"n{i}")])).Select(s => s.NodeId).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(["n1", "n2", "n4", "n5", "n7"], stored);
    }

    [Theory]
    [InlineData(0)] // the first to write in the transaction: undone by starting it over
    [InlineData(2)] // between others: undone to its savepoint
    [InlineData(4)] // the last: its writes fail in the commit's batch, which is sent again without them
    public async Task WriteAsync_HeldWriteFailingAfterItsWorkEnded_FailsThatCallerAlone(int failing)
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("x", "v2", "RUNNING")));

        // Each work writes its node; the failing one also updates x from a version x does not have, as its last
        // (held) write, so that only the next work's first statement or the commit brings the failure back. Each work
        // first looks for the node the work before it wrote.
        var queued = await QueueBehindHeldCommitAsync(Enumerable.Range(0, 5).Select(i => (Func<IStoreTransaction, ValueTask<bool>>)(async tx =>
        {
            var sawPrevious = i > 0 && await tx.States.GetAsync($"n{i - 1}") is not null;
            await tx.States.InsertAsync(State($"n{i}"));
            if (i == failing)
            {
                await tx.States.UpdateOrThrowAsync(State("x", "v3", "FAILED"), "v1");
            }

            return sawPrevious;
        })));

        for (var i = 0; i < queued.Count; i++)
        {
            if (i == failing)
            {
                await Assert.ThrowsAsync<StateVersionNotMatchException>(() => queued[i]);
            }
            else
            {
                // Every work saw the one before it, except the first and the one after the failure.
                Assert.Equal(i > 0 && i - 1 != failing, await queued[i]);
            }
        }

        var stored = await Sut.ReadAsync(async tx => (await tx.States.GetManyAsync(["x", .. Enumerable.Range(0, 5).Select(i => $"n{i}")])).ToDictionary(s => s.NodeId));
        Assert.Equal([.. Enumerable.Range(0, 5).Where(i => i != failing).Select(i => $"n{i}"), "x"], stored.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("v2", "RUNNING"), (stored["x"].Version, stored["x"].Name));
    }

    [Fact]
    public async Task WriteAsync_AllQueuedCallersFailLate_CommitNothingAndTheNextTransactionWorks()
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("x", "v2", "RUNNING")));
        var queued = await QueueBehindHeldCommitAsync(Enumerable.Range(0, 3).Select(i => (Func<IStoreTransaction, ValueTask<int>>)(async tx =>
        {
            await tx.States.InsertAsync(State($"n{i}"));
            await tx.States.UpdateOrThrowAsync(State("x", "v3", "FAILED"), "v1");
            return i;
        })));

        foreach (var work in queued)
        {
            await Assert.ThrowsAsync<StateVersionNotMatchException>(() => work);
        }

        await WriteAsync(tx => tx.States.InsertAsync(State("after")));
        var stored = await Sut.ReadAsync(async tx => (await tx.States.GetManyAsync(["n0", "n1", "n2", "after"])).Select(s => s.NodeId).ToList());
        Assert.Equal(["after"], stored);
    }

    [Fact]
    public async Task DisposeAsync_WhileWorksWaitForTheBusyLane_FailsThemInsteadOfLeavingThemWaiting()
    {
        var (first, holding) = await HoldTheLaneAsync();
        var queued = WriteAsync(tx => tx.States.InsertAsync(State("queued")));

        await ((IAsyncDisposable)Sut).DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));

        await Assert.ThrowsAsync<ObjectDisposedException>(() => queued.WaitAsync(TimeSpan.FromSeconds(20)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => WriteAsync(tx => tx.States.InsertAsync(State("after"))));
        holding.SetResult();
        await Record.ExceptionAsync(() => first.WaitAsync(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public async Task WriteAsync_WorkSwallowingAServerError_FailsAlone_AndTheOthersCommit()
    {
        // The error aborts the transaction on the server: had the work been let through, the COMMIT would have ended
        // the transaction as a rollback, without an error, under every work in it.
        var queued = await QueueBehindHeldCommitAsync<int>([
            async tx =>
            {
                try
                {
                    await ((RelationalTransaction)tx).Session.ExecuteAsync("SELECT 1 / 0");
                }
                catch (Npgsql.PostgresException)
                {
                    // A work that would go on regardless.
                }

                return 0;
            },
            async tx =>
            {
                await tx.States.InsertAsync(State("n1"));
                return 1;
            },
            async tx =>
            {
                await tx.States.InsertAsync(State("n2"));
                return 2;
            },
        ]);

        Assert.Equal("22012", (await Assert.ThrowsAsync<Npgsql.PostgresException>(() => queued[0])).SqlState);
        Assert.Equal(1, await queued[1]);
        Assert.Equal(2, await queued[2]);
        var stored = await Sut.ReadAsync(async tx => (await tx.States.GetManyAsync(["n1", "n2"])).Select(s => s.NodeId).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(["n1", "n2"], stored);
    }

    [Fact]
    public async Task WriteAsync_ConnectionLostMidTransaction_FailsEveryWorkInItAsAStoreError()
    {
        // The works after the break must not run on the dead connection (Npgsql's "Connection is not open" is no
        // store error: the engine would count it against the task instead of retrying the store).
        var queued = await QueueBehindHeldCommitAsync<int>([
            async tx =>
            {
                await tx.States.InsertAsync(State("n0"));
                return 0;
            },
            async tx =>
            {
                await ((RelationalTransaction)tx).Session.ExecuteAsync("SELECT pg_terminate_backend(pg_backend_pid())");
                return 1;
            },
            async tx =>
            {
                await tx.States.InsertAsync(State("n2"));
                return 2;
            },
        ]);

        foreach (var work in queued)
        {
            await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => work);
        }

        await WriteAsync(tx => tx.States.InsertAsync(State("after")));
        var stored = await Sut.ReadAsync(async tx => (await tx.States.GetManyAsync(["n0", "n2", "after"])).Select(s => s.NodeId).ToList());
        Assert.Equal(["after"], stored);
    }
}
