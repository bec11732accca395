using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;

namespace Bamboo.Runtime.Tests.Storage.Sqlite;

/// <summary>
/// SQLite's group commit: transactions that queue up while another commits share the next commit; a failing one is
/// undone alone, by rolling back and replaying the writes of the callers before it. These tests hold a first
/// transaction open so the others are sure to queue behind it.
/// </summary>
public sealed class GroupCommitTests : IAsyncDisposable
{
    private readonly TempDatabase _db = new("group");
    private readonly SqliteStore _sut;

    public GroupCommitTests() => _sut = _db.OpenStore();

    public async ValueTask DisposeAsync()
    {
        await _sut.DisposeAsync();
        _db.Dispose();
    }

    private static async ValueTask WriteNodeAsync(IStoreTransaction tx, string nodeId)
    {
        await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(nodeId, new JsonObject { ["k"] = nodeId }, []));
        await tx.States.InsertAsync(new StateRecord(nodeId, "root", "root", "FINISHED", "v", 1, 1, 0, false, false, tx.Now, tx.Now, tx.Now));
    }

    private static ProcessRecord Process(int i, long now) => new(0, $"root{i}", -1, "", $"node{i}", [$"root{i}"], false, false, "", false, -1, 0, now, 100, "");

    /// <summary>Holds a first transaction open while <paramref name="works"/> queue, so they share the next commit.</summary>
    private async Task<List<Task<T>>> QueueBehindHeldCommitAsync<T>(IEnumerable<Func<IStoreTransaction, ValueTask<T>>> works)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = _sut.WriteAsync(async tx =>
        {
            await WriteNodeAsync(tx, "first");
            started.SetResult();
            await holding.Task;
            return 0;
        });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var queued = works.Select(work => _sut.WriteAsync(work)).ToList();
        holding.SetResult();
        await first;
        return queued;
    }

    [Fact]
    public async Task WriteAsync_FailingCallersInASharedCommit_UndoOnlyTheirOwnWrites()
    {
        var queued = await QueueBehindHeldCommitAsync(Enumerable.Range(0, 10).Select(i => (Func<IStoreTransaction, ValueTask<int>>)(async tx =>
        {
            await WriteNodeAsync(tx, $"n{i}");
            return i % 3 == 0 ? throw new InvalidOperationException($"work {i} fails") : i;
        })));

        for (var i = 0; i < queued.Count; i++)
        {
            if (i % 3 == 0)
            {
                var error = await Assert.ThrowsAsync<InvalidOperationException>(() => queued[i]);
                Assert.Equal($"work {i} fails", error.Message);
            }
            else
            {
                Assert.Equal(i, await queued[i]);
            }
        }

        var stored = await _sut.ReadAsync(async tx => (await tx.States.GetManyAsync([.. Enumerable.Range(0, 10).Select(i => $"n{i}")])).Select(s => s.NodeId).Order(StringComparer.Ordinal).ToList());
        Assert.Equal(["n1", "n2", "n4", "n5", "n7", "n8"], stored);
        Assert.NotNull(await _sut.ReadAsync(tx => tx.Data.GetExecutionDataAsync("first")));
    }

    [Fact]
    public async Task WriteAsync_IdsHandedOutBeforeAFailureInTheSameCommit_StillNameTheCallersRows()
    {
        // Every caller gets a new process id; the failing ones are undone after the ids before them were handed out.
        var queued = await QueueBehindHeldCommitAsync(Enumerable.Range(0, 8).Select(i => (Func<IStoreTransaction, ValueTask<long>>)(async tx =>
        {
            var id = await tx.Processes.InsertAsync(Process(i, tx.Now));
            return i is 2 or 5 ? throw new InvalidOperationException($"work {i} fails") : id;
        })));

        foreach (var i in new[] { 0, 1, 3, 4, 6, 7 })
        {
            var id = await queued[i];
            Assert.Equal($"node{i}", await _sut.ReadAsync(async tx => (await tx.Processes.GetAsync(id)).CurrentNodeId));
        }

        await Assert.ThrowsAsync<InvalidOperationException>(() => queued[2]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => queued[5]);
        Assert.Equal(6L, _db.Scalar("SELECT COUNT(*) FROM processes WHERE root_id LIKE 'root%'"));
    }

    [Fact]
    public async Task WriteAsync_WorkUndoneInsideACallerThenALaterCallerFails_StaysUndone()
    {
        var inputs = new JsonObject { ["k"] = "written" };
        var queued = await QueueBehindHeldCommitAsync<int>([
            async tx =>
            {
                await WriteNodeAsync(tx, "before");
                return 0;
            },
            async tx =>
            {
                await WriteNodeAsync(tx, "kept");
                await Assert.ThrowsAsync<InvalidOperationException>(async () => await tx.IsolatedAsync<int>(async () =>
                {
                    await WriteNodeAsync(tx, "undone");
                    throw new InvalidOperationException("inner work fails");
                }));
                await tx.Data.SetRawInputsOverrideAsync("kept", inputs);
                // The caller changes its object after writing it: what was written is what stays, replay included.
                inputs["k"] = "changed later";
                return 1;
            },
            async tx =>
            {
                await WriteNodeAsync(tx, "failed");
                throw new InvalidOperationException("second caller fails");
            },
            async tx =>
            {
                await WriteNodeAsync(tx, "after");
                return 3;
            },
        ]);

        Assert.Equal(0, await queued[0]);
        Assert.Equal(1, await queued[1]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => queued[2]);
        Assert.Equal(3, await queued[3]);
        var (states, written) = await _sut.ReadAsync(async tx =>
            (await tx.States.GetManyAsync(["before", "kept", "undone", "failed", "after"]), await tx.Data.GetRawInputsOverrideAsync("kept")));
        Assert.Equal(["after", "before", "kept"], states.Select(s => s.NodeId).Order(StringComparer.Ordinal));
        Assert.Equal("written", (string?)written!["k"]);
    }

    [Fact]
    public async Task WriteAsync_TakenRunIdThenAFailingCaller_KeepsTheFirstRunAndUndoesOnlyTheFailure()
    {
        // The taken id fails its caller alone; a later failure replays the rest again from the start.
        var queued = await QueueBehindHeldCommitAsync<int>([
            async tx =>
            {
                await tx.Runs.InsertAsync(new RunRecord("p1", "{}", false, [], tx.Now), ["p1", "shared"]);
                return 1;
            },
            async tx =>
            {
                await tx.Runs.InsertAsync(new RunRecord("p2", "{}", false, [], tx.Now), ["p2", "shared"]);
                return 2;
            },
            async tx =>
            {
                await tx.Runs.InsertAsync(new RunRecord("p3", "{}", false, [], tx.Now), ["p3"]);
                throw new InvalidOperationException("third caller fails");
            },
        ]);

        Assert.Equal(1, await queued[0]);
        await Assert.ThrowsAsync<NodeIdsTakenException>(() => queued[1]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => queued[2]);
        var roots = await _sut.ReadAsync(async tx =>
            (await tx.Runs.GetNodeRootAsync("shared"), await tx.Runs.GetNodeRootAsync("p2"), await tx.Runs.GetNodeRootAsync("p3")));
        Assert.Equal(("p1", (string?)null, (string?)null), roots);
    }

    [Fact]
    public async Task WriteAsync_NeverCommitsOnTheCallersThread_SoALoopOfCallsIsNotHeldUp()
    {
        var returned = false;

        // Had the call committed inline, this work would run before the call returned and time out waiting for it.
        var work = _sut.WriteAsync(_ => ValueTask.FromResult(SpinWait.SpinUntil(() => Volatile.Read(ref returned), TimeSpan.FromSeconds(10))));
        Volatile.Write(ref returned, true);

        Assert.True(await work, "the work ran before WriteAsync returned to its caller");
    }
}
