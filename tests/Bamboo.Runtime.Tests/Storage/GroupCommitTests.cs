using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// Transactions that queue up while another commits share the next commit; a failing one is undone alone (the
/// others' writes are replayed). These tests hold the first transaction open so the others are sure to queue
/// behind it.
/// </summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task A_failing_transaction_in_a_shared_commit_undoes_only_its_own_writes()
    {
        using var db = new TempDatabase("group");
        await using var runtime = db.OpenRuntime();
        var queued = await QueueBehindHeldCommitAsync(runtime, Enumerable.Range(0, 10).Select(i => (Func<IStepTransaction, int>)(tx =>
        {
            Write(tx, $"n{i}");
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

        var stored = await runtime.ReadAsync(tx => Enumerable.Range(0, 10).Where(i => tx.GetExecutionData($"n{i}") is not null).ToList());
        Assert.Equal([1, 2, 4, 5, 7, 8], stored);
        Assert.NotNull(await runtime.ReadAsync(tx => tx.GetExecutionData("first")));
    }

    [Fact]
    public async Task Ids_handed_out_before_a_failure_in_the_same_commit_still_name_the_callers_rows()
    {
        using var db = new TempDatabase("group");
        await using var runtime = db.OpenRuntime();
        // Every caller gets a new process id; the failing ones are undone after the ids before them were handed out.
        var queued = await QueueBehindHeldCommitAsync(runtime, Enumerable.Range(0, 8).Select(i => (Func<IStepTransaction, long>)(tx =>
        {
            var id = tx.InsertProcess(new ProcessRecord(0, $"root{i}", -1, "", $"node{i}", [$"root{i}"], false, false, "", false, -1, 0, tx.Now, 100, ""));
            return i is 2 or 5 ? throw new InvalidOperationException($"work {i} fails") : id;
        })));

        foreach (var i in new[] { 0, 1, 3, 4, 6, 7 })
        {
            var id = await queued[i];
            Assert.Equal($"node{i}", await runtime.ReadAsync(tx => tx.GetProcess(id).CurrentNodeId));
        }

        Assert.Equal(6L, db.Scalar("SELECT COUNT(*) FROM processes WHERE root_id LIKE 'root%'"));
    }

    [Fact]
    public async Task Work_undone_inside_a_caller_stays_undone_when_a_later_caller_fails()
    {
        using var db = new TempDatabase("group");
        await using var runtime = db.OpenRuntime();
        var inputs = new JsonObject { ["k"] = "written" };
        var queued = await QueueBehindHeldCommitAsync(runtime, [
            tx =>
            {
                Write(tx, "before");
                return 0;
            },
            tx =>
            {
                Write(tx, "kept");
                Assert.Throws<InvalidOperationException>(() => tx.Isolated<int>(() =>
                {
                    Write(tx, "undone");
                    throw new InvalidOperationException("inner work fails");
                }));
                tx.SetRawInputsOverride("kept", inputs);
                // The caller changes its object after writing it: what was written is what stays.
                inputs["k"] = "changed later";
                return 1;
            },
            tx =>
            {
                Write(tx, "failed");
                throw new InvalidOperationException("second caller fails");
            },
            tx =>
            {
                Write(tx, "after");
                return 3;
            },
        ]);

        Assert.Equal(0, await queued[0]);
        Assert.Equal(1, await queued[1]);
        await Assert.ThrowsAsync<InvalidOperationException>(() => queued[2]);
        Assert.Equal(3, await queued[3]);
        var (before, kept, undone, failed, after, written) = await runtime.ReadAsync(tx =>
            (tx.GetState("before"), tx.GetState("kept"), tx.GetState("undone"), tx.GetState("failed"), tx.GetState("after"), tx.GetRawInputsOverride("kept")));
        Assert.NotNull(before);
        Assert.NotNull(kept);
        Assert.Null(undone);
        Assert.Null(failed);
        Assert.NotNull(after);
        Assert.Equal("written", (string?)written!["k"]);
    }

    [Fact]
    public async Task Under_load_with_random_failures_the_store_holds_exactly_the_work_of_the_callers_that_succeeded()
    {
        using var db = new TempDatabase("group");
        await using var runtime = db.OpenRuntime();
        var random = new Random(20261127);
        // Each caller inserts a process (rowid) and a task (AUTOINCREMENT) and a state; some fail after writing, some
        // undo an isolated part and go on. Failures make the store replay the writes of the callers before them.
        var plans = Enumerable.Range(0, 300).Select(i => (Fails: random.Next(5) == 0, Isolates: random.Next(4) == 0)).ToList();
        var calls = plans.Select((plan, i) => Task.Run(() => runtime.TransactAsync(tx =>
        {
            var process = tx.InsertProcess(new ProcessRecord(0, $"root{i}", -1, "", $"node{i}", [$"root{i}"], false, false, "", false, -1, 0, tx.Now, 100, ""));
            var task = tx.Enqueue(new TaskRecord(0, TaskKind.Execute, process, $"node{i}", null, null, null, tx.Now + 3_600_000, null, null, 0));
            if (plan.Isolates)
            {
                Assert.Throws<InvalidOperationException>(() => tx.Isolated<int>(() =>
                {
                    Write(tx, $"isolated{i}");
                    throw new InvalidOperationException("isolated part fails");
                }));
            }

            Write(tx, $"s{i}");
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
            Assert.Equal($"root{caller}", await runtime.ReadAsync(tx => tx.GetProcess(process).RootPipelineId));
            Assert.Equal(process, db.Scalar($"SELECT process_id FROM tasks WHERE id = {task} AND node_id = 'node{caller}'"));
        }

        Assert.Equal((long)held.Count, db.Scalar("SELECT COUNT(*) FROM processes"));
        Assert.Equal((long)held.Count, db.Scalar("SELECT COUNT(*) FROM tasks"));
        Assert.Equal(held.Select(h => $"s{h.Caller}").Order(StringComparer.Ordinal), db.Strings("SELECT node_id FROM states ORDER BY node_id"));
    }

    /// <summary>Holds a first transaction open while <paramref name="works"/> queue, so they share the next commit.</summary>
    private static async Task<List<Task<T>>> QueueBehindHeldCommitAsync<T>(IEngineRuntime runtime, IEnumerable<Func<IStepTransaction, T>> works)
    {
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
        var queued = works.Select(work => runtime.TransactAsync(work)).ToList();
        holding.Set();
        await first;
        return queued;
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
