using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// Transactions that queue up while another commits share the next commit, each in its own savepoint. These
/// tests hold the first transaction open so the others are sure to queue behind it.
/// </summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task A_failing_transaction_in_a_shared_commit_undoes_only_its_own_writes()
    {
        using var db = new TempDatabase("group");
        await using var runtime = db.OpenRuntime();
        using var started = new ManualResetEventSlim();
        using var holding = new ManualResetEventSlim();
        var first = Task.Run(() => runtime.TransactAsync(tx =>
        {
            Write(tx, "first");
            started.Set();
            holding.Wait(TimeSpan.FromSeconds(20));
            return 0;
        }));
        Assert.True(started.Wait(TimeSpan.FromSeconds(20)), "the first transaction should start");

        var queued = Enumerable.Range(0, 10).Select(i => runtime.TransactAsync(tx =>
        {
            Write(tx, $"n{i}");
            return i % 3 == 0 ? throw new InvalidOperationException($"work {i} fails") : i;
        })).ToList();
        holding.Set();
        await first;

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

        var stored = await runtime.ReadAsync(tx => Enumerable.Range(0, 10).Where(i => tx.GetExecutionData($"n{i}") is not null).ToList());
        Assert.Equal([1, 2, 4, 5, 7, 8], stored);
        Assert.NotNull(await runtime.ReadAsync(tx => tx.GetExecutionData("first")));
    }

    [Fact]
    public async Task Each_caller_resumes_only_after_its_work_is_committed()
    {
        using var db = new TempDatabase("group");
        await using var runtime = db.OpenRuntime();
        var writes = Enumerable.Range(0, 50).Select(i => Task.Run(() => runtime.TransactAsync(tx =>
        {
            Write(tx, $"n{i}");
            return i;
        }))).ToList();

        // As soon as a caller has its result, a second connection (another process) sees its write.
        foreach (var write in writes)
        {
            var i = await write;
            Assert.Equal(1L, db.Scalar($"SELECT COUNT(*) FROM states WHERE node_id = 'n{i}' AND inputs IS NOT NULL"));
        }
    }

    [Fact]
    public async Task A_caller_never_commits_on_its_own_thread_so_a_loop_of_calls_is_not_held_up()
    {
        using var db = new TempDatabase("group");
        await using var runtime = db.OpenRuntime();
        var returned = false;
        // Had the call committed inline, this work would run before the call returned and time out waiting for it.
        var work = runtime.TransactAsync(tx => SpinWait.SpinUntil(() => Volatile.Read(ref returned), TimeSpan.FromSeconds(10)));
        Volatile.Write(ref returned, true);
        Assert.True(await work, "the work ran before TransactAsync returned to its caller");
    }

    [Fact]
    public async Task Isolated_work_that_throws_undoes_only_its_own_writes()
    {
        using var db = new TempDatabase("group");
        await using var runtime = db.OpenRuntime();
        var caught = await runtime.TransactAsync(tx =>
        {
            Write(tx, "kept");
            tx.SetExecutionData(new ExecutionDataRecord("kept", new JsonObject { ["k"] = "second" }, []));
            try
            {
                return tx.Isolated<int>(() =>
                {
                    Write(tx, "undone");
                    tx.SetExecutionData(new ExecutionDataRecord("kept", new JsonObject { ["k"] = "from the failed work" }, []));
                    throw new InvalidOperationException("step fails");
                });
            }
            catch (InvalidOperationException ex)
            {
                return ex.Message.Length;
            }
        });

        Assert.Equal("step fails".Length, caught);
        var (kept, undone) = await runtime.ReadAsync(tx => (tx.GetExecutionData("kept"), tx.GetState("undone")));
        // The data recorded before the isolated work is what was stored, not the failed work's.
        Assert.Equal("second", (string?)kept!.Inputs["k"]);
        Assert.Null(undone);
    }

    private static void Write(IStepTransaction tx, string nodeId)
    {
        tx.SetExecutionData(new ExecutionDataRecord(nodeId, new JsonObject { ["k"] = nodeId }, []));
        tx.InsertState(new StateRecord(nodeId, "root", "root", "FINISHED", "v", 1, 1, 0, false, false, tx.Now, tx.Now, tx.Now));
    }
}
