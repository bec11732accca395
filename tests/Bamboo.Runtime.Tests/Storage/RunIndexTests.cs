using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>A run's node ids are indexed by one insert; a taken id leaves none of the run's ids behind, and nothing else.</summary>
public sealed class RunIndexTests
{
    [Fact]
    public async Task A_taken_id_undoes_the_runs_ids_and_keeps_the_rest_of_the_transaction()
    {
        using var db = new TempDatabase("runs");
        await using var runtime = db.OpenRuntime();
        await runtime.TransactAsync(tx => tx.InsertRun(new RunRecord("p1", "{}", false, [], 1), ["p1", "taken"]));

        var (taken, fresh, root, kept) = await runtime.TransactAsync(tx =>
        {
            tx.InsertState(new StateRecord("kept", "p0", "p0", "FINISHED", "v", 1, 1, 0, false, false, 1, 1, 1));
            var taken = tx.InsertRun(new RunRecord("p2", "{}", false, [], 1), ["p2", "fresh", "taken"]);
            return (taken, tx.GetNodeRoot("fresh"), tx.GetNodeRoot("p2"), tx.GetState("kept"));
        });

        Assert.Equal("taken", taken);
        Assert.Null(fresh);
        Assert.Null(root);
        Assert.NotNull(kept);
        Assert.Equal("p1", await runtime.ReadAsync(tx => tx.GetNodeRoot("taken")));
        Assert.Null(await runtime.ReadAsync(tx => tx.GetRun("p2")));
        Assert.Equal(1L, db.Scalar("SELECT COUNT(*) FROM states WHERE node_id = 'kept'"));
    }

    [Fact]
    public async Task A_root_that_ran_before_is_reported_before_its_node_ids()
    {
        using var db = new TempDatabase("runs");
        await using var runtime = db.OpenRuntime();
        await runtime.TransactAsync(tx => tx.InsertRun(new RunRecord("p1", "{}", false, [], 1), ["p1", "a"]));
        Assert.Equal("p1", await runtime.TransactAsync(tx => tx.InsertRun(new RunRecord("p1", "{}", false, [], 1), ["a", "p1"])));
    }

    [Fact]
    public async Task Repeated_ids_in_one_run_are_refused()
    {
        using var db = new TempDatabase("runs");
        await using var runtime = db.OpenRuntime();
        var error = await Assert.ThrowsAsync<ArgumentException>(() => runtime.TransactAsync(tx => tx.InsertRun(new RunRecord("p1", "{}", false, [], 1), ["p1", "a", "a"])));
        Assert.Contains("not unique", error.Message, StringComparison.Ordinal);
        Assert.Null(await runtime.ReadAsync(tx => tx.GetNodeRoot("p1")));
    }
}
