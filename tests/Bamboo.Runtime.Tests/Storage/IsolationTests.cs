using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// What a transaction promises, however the store runs it: work commits whole or not at all, a caller's failure
/// undoes its work alone, and <see cref="IStoreTransaction.IsolatedAsync{T}"/> undoes only its own writes.
/// </summary>
public abstract class IsolationTests : StoreTests
{
    private static async ValueTask WriteNodeAsync(IStoreTransaction tx, string nodeId)
    {
        await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(nodeId, new JsonObject { ["k"] = nodeId }, []));
        await tx.States.InsertAsync(State(nodeId));
    }

    [Fact]
    public async Task IsolatedAsync_WorkThrows_UndoesOnlyItsOwnWritesAndRethrows()
    {
        var caught = await Sut.WriteAsync(async tx =>
        {
            await WriteNodeAsync(tx, "kept");
            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord("kept", new JsonObject { ["k"] = "second" }, []));
            try
            {
                return await tx.IsolatedAsync<string>(async () =>
                {
                    await WriteNodeAsync(tx, "undone");
                    await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord("kept", new JsonObject { ["k"] = "from the failed work" }, []));
                    await tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, "undone"));
                    await tx.Processes.InsertAsync(Process("root", "undone"));
                    throw new InvalidOperationException("step fails");
                });
            }
            catch (InvalidOperationException ex)
            {
                return ex.Message;
            }
        });

        Assert.Equal("step fails", caught);
        var (kept, undone, tasks) = await Sut.ReadAsync(async tx =>
            (await tx.Data.GetExecutionDataAsync("kept"), await tx.States.GetAsync("undone"), await tx.Tasks.GetForRootAsync("root")));
        // The data recorded before the isolated work is what was stored, not the failed work's.
        Assert.Equal("second", (string?)kept!.Inputs["k"]);
        Assert.Null(undone);
        Assert.Empty(tasks);
        Assert.Equal(0L, await Database.CountAsync("SELECT COUNT(*) FROM processes"));
    }

    [Fact]
    public async Task IsolatedAsync_WorkThatWroteAStateWithPendingDataThrows_KeepsTheDataForTheNextWrite()
    {
        await Sut.WriteAsync(async tx =>
        {
            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord("a", new JsonObject { ["k"] = "recorded before" }, []));
            try
            {
                await tx.IsolatedAsync<int>(async () =>
                {
                    // The insert takes the pending data with it; the undo must give it back.
                    await tx.States.InsertAsync(State("a", "v-undone"));
                    throw new InvalidOperationException("step fails");
                });
            }
            catch (InvalidOperationException)
            {
            }

            await tx.States.InsertAsync(State("a", "v1"));
            return 0;
        });

        var (state, data) = await Sut.ReadAsync(async tx => (await tx.States.GetAsync("a"), await tx.Data.GetExecutionDataAsync("a")));
        Assert.Equal("v1", state!.Version);
        Assert.Equal("recorded before", (string?)data!.Inputs["k"]);
    }

    [Fact]
    public async Task IsolatedAsync_WorkSucceeds_KeepsItsWritesAndReturnsItsResult()
    {
        var result = await Sut.WriteAsync(tx => tx.IsolatedAsync(async () =>
        {
            await WriteNodeAsync(tx, "a");
            return 42;
        }));

        Assert.Equal(42, result);
        Assert.NotNull(await Sut.ReadAsync(tx => tx.Data.GetExecutionDataAsync("a")));
    }

    [Fact]
    public async Task IsolatedAsync_InnerOfTwoThrows_KeepsTheOuterWrites()
    {
        await Sut.WriteAsync(tx => tx.IsolatedAsync(async () =>
        {
            await WriteNodeAsync(tx, "outer");
            await Assert.ThrowsAsync<InvalidOperationException>(async () => await tx.IsolatedAsync<int>(async () =>
            {
                await WriteNodeAsync(tx, "inner");
                throw new InvalidOperationException("inner fails");
            }));
            await WriteNodeAsync(tx, "after");
            return 0;
        }));

        var states = await Sut.ReadAsync(tx => tx.States.GetManyAsync(["outer", "inner", "after"]));
        Assert.Equal(["after", "outer"], states.Select(s => s.NodeId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task IsolatedAsync_WriteThatFailsItsCheck_FailsTheIsolatedWorkAloneWithItsException()
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("a", "v2", "RUNNING")));

        var caught = await Sut.WriteAsync(async tx =>
        {
            await WriteNodeAsync(tx, "kept");
            try
            {
                // The failing write is the isolated work's last: a store that holds writes must still fail it inside.
                return await tx.IsolatedAsync(async () =>
                {
                    await WriteNodeAsync(tx, "undone");
                    await tx.States.UpdateOrThrowAsync(State("a", "v3", "FAILED"), "v1");
                    return "not failed";
                });
            }
            catch (Engine.Exceptions.StateVersionNotMatchException)
            {
                return "failed";
            }
        });

        Assert.Equal("failed", caught);
        var states = await Sut.ReadAsync(tx => tx.States.GetManyAsync(["a", "kept", "undone"]));
        Assert.Equal([("a", "v2"), ("kept", "v1")], states.Select(s => (s.NodeId, s.Version)).Order());
    }

    [Fact]
    public async Task WriteAsync_WorkThrows_UndoesAllOfItAndRethrows()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Sut.WriteAsync<int>(async tx =>
        {
            await WriteNodeAsync(tx, "a");
            await tx.Tasks.EnqueueAsync(TaskRecord.Execute("root", 1, "a"));
            await tx.Runs.InsertAsync(Run("root"), ["root", "a"]);
            throw new InvalidOperationException("work fails");
        }));

        Assert.Equal("work fails", error.Message);
        var (state, run, tasks) = await Sut.ReadAsync(async tx =>
            (await tx.States.GetAsync("a"), await tx.Runs.GetNodeRootAsync("a"), await tx.Tasks.GetForRootAsync("root")));
        Assert.Null(state);
        Assert.Null(run);
        Assert.Empty(tasks);
    }

    [Fact]
    public async Task WriteAsync_WhenItReturns_AnotherConnectionSeesTheWrite()
    {
        var writes = Enumerable.Range(0, 50).Select(i => Task.Run(() => Sut.WriteAsync(async tx =>
        {
            await WriteNodeAsync(tx, $"n{i}");
            return i;
        }))).ToList();

        foreach (var write in writes)
        {
            var i = await write;
            Assert.Equal(1L, await Database.CountAsync($"SELECT COUNT(*) FROM states WHERE node_id = 'n{i}' AND inputs IS NOT NULL"));
        }
    }

    [Fact]
    public async Task WriteAsync_ConcurrentCallersSomeFailing_StoreHoldsExactlyTheWorkOfThoseThatSucceeded()
    {
        var random = new Random(20261127);
        // Each caller inserts a process and a task and a state; some fail after writing, some undo an isolated part and
        // go on. Stores that share a commit among callers must undo a failed caller's work alone.
        var plans = Enumerable.Range(0, 300).Select(_ => (Fails: random.Next(5) == 0, Isolates: random.Next(4) == 0)).ToList();
        var calls = plans.Select((plan, i) => Task.Run(() => Sut.WriteAsync(async tx =>
        {
            var process = await tx.Processes.InsertAsync(Process($"root{i}", $"node{i}"));
            var task = await tx.Tasks.EnqueueAsync(TaskRecord.Execute($"root{i}", process, $"node{i}"), TimeSpan.FromHours(1));
            if (plan.Isolates)
            {
                await Assert.ThrowsAsync<InvalidOperationException>(async () => await tx.IsolatedAsync<int>(async () =>
                {
                    await WriteNodeAsync(tx, $"isolated{i}");
                    throw new InvalidOperationException("isolated part fails");
                }));
            }

            await WriteNodeAsync(tx, $"s{i}");
            return plan.Fails ? throw new InvalidOperationException($"caller {i} fails") : (process, task);
        }))).ToList();

        var held = new List<(int Caller, long Process, long Task)>();
        for (var i = 0; i < calls.Count; i++)
        {
            if (plans[i].Fails)
            {
                await Assert.ThrowsAsync<InvalidOperationException>(() => calls[i]);
            }
            else
            {
                var (process, task) = await calls[i];
                held.Add((i, process, task));
            }
        }

        foreach (var (caller, process, task) in held)
        {
            var (root, tasks) = await Sut.ReadAsync(async tx => ((await tx.Processes.GetAsync(process)).RootPipelineId, await tx.Tasks.GetForRootAsync($"root{caller}")));
            Assert.Equal($"root{caller}", root);
            Assert.Equal([(task, process, $"node{caller}")], tasks.Select(t => (t.Id, t.ProcessId, t.NodeId)));
        }

        Assert.Equal((long)held.Count, await Database.CountAsync("SELECT COUNT(*) FROM processes"));
        Assert.Equal((long)held.Count, await Database.CountAsync("SELECT COUNT(*) FROM tasks"));
        Assert.Equal((long)held.Count, await Database.CountAsync("SELECT COUNT(*) FROM states"));
        Assert.Equal(0L, await Database.CountAsync("SELECT COUNT(*) FROM states WHERE node_id LIKE 'isolated%'"));
    }

    [Fact]
    public async Task WriteAsync_CancelledBeforeItRuns_ThrowsAndWritesNothing()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Sut.WriteAsync(async tx =>
        {
            await WriteNodeAsync(tx, "a");
            return 0;
        }, cancelled.Token));

        Assert.Null(await Sut.ReadAsync(tx => tx.States.GetAsync("a")));
    }
}
