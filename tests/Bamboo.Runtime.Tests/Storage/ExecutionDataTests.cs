using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// A node's execution data is stored in its state row: data recorded before the state in the same work is written
/// by the state's own insert or update, and data for a node whose state is not written is written when the work ends.
/// </summary>
public sealed class ExecutionDataTests
{
    private static StateRecord State(string nodeId, string version = "v1") =>
        new(nodeId, "root", "root", "FINISHED", version, 1, 1, 0, false, false, 1, 1, 1);

    [Fact]
    public async Task Data_recorded_before_the_state_is_stored_with_it()
    {
        using var db = new TempDatabase("data");
        await using var runtime = db.OpenRuntime();
        await runtime.TransactAsync(tx =>
        {
            tx.SetExecutionData(new ExecutionDataRecord("a", new JsonObject { ["in"] = 1 }, new JsonObject { ["out"] = "x" }));
            tx.InsertState(State("a"));
            return 0;
        });

        var data = await runtime.ReadAsync(tx => tx.GetExecutionData("a"));
        Assert.Equal("""{"in":1}""", data!.Inputs.ToJsonString());
        Assert.Equal("""{"out":"x"}""", data.Outputs.ToJsonString());
        Assert.Equal(1L, db.Scalar("SELECT COUNT(*) FROM states WHERE node_id = 'a' AND inputs IS NOT NULL"));
    }

    [Fact]
    public async Task Data_of_a_node_whose_state_is_not_rewritten_is_written_when_the_work_ends()
    {
        using var db = new TempDatabase("data");
        await using var runtime = db.OpenRuntime();
        await runtime.TransactAsync(tx =>
        {
            tx.InsertState(State("a"));
            return 0;
        });
        Assert.Null(await runtime.ReadAsync(tx => tx.GetExecutionData("a")));

        await runtime.TransactAsync(tx =>
        {
            tx.SetExecutionData(new ExecutionDataRecord("a", [], new JsonObject { ["ex_data"] = "forced" }));
            return 0;
        });

        var data = await runtime.ReadAsync(tx => tx.GetExecutionData("a"));
        Assert.Equal("forced", (string?)data!.Outputs["ex_data"]);
        Assert.Equal("v1", (await runtime.ReadAsync(tx => tx.GetState("a")))!.Version);
    }

    [Fact]
    public async Task An_update_with_new_data_keeps_both_and_one_without_keeps_the_old_data()
    {
        using var db = new TempDatabase("data");
        await using var runtime = db.OpenRuntime();
        await runtime.TransactAsync(tx =>
        {
            tx.SetExecutionData(new ExecutionDataRecord("a", new JsonObject { ["n"] = 1 }, []));
            tx.InsertState(State("a"));
            return 0;
        });

        await runtime.TransactAsync(tx => tx.UpdateState(State("a", "v2"), "v1"));
        Assert.Equal(1, (int)(await runtime.ReadAsync(tx => tx.GetExecutionData("a")))!.Inputs["n"]!);

        await runtime.TransactAsync(tx =>
        {
            tx.SetExecutionData(new ExecutionDataRecord("a", new JsonObject { ["n"] = 2 }, []));
            return tx.UpdateState(State("a", "v3"), "v2");
        });
        var (state, data) = await runtime.ReadAsync(tx => (tx.GetState("a"), tx.GetExecutionData("a")));
        Assert.Equal("v3", state!.Version);
        Assert.Equal(2, (int)data!.Inputs["n"]!);
    }

    [Fact]
    public async Task Pending_data_is_read_back_in_the_same_work_and_later_changes_to_the_callers_object_are_not_stored()
    {
        using var db = new TempDatabase("data");
        await using var runtime = db.OpenRuntime();
        var seen = await runtime.TransactAsync(tx =>
        {
            var outputs = new JsonObject { ["k"] = "before" };
            tx.SetExecutionData(new ExecutionDataRecord("a", [], outputs));
            outputs["k"] = "after";
            var read = tx.GetExecutionData("a");
            tx.InsertState(State("a"));
            return (string?)read!.Outputs["k"];
        });

        Assert.Equal("before", seen);
        Assert.Equal("before", (string?)(await runtime.ReadAsync(tx => tx.GetExecutionData("a")))!.Outputs["k"]);
    }

    [Fact]
    public async Task Data_for_a_node_without_a_state_fails_the_work_and_names_the_node()
    {
        using var db = new TempDatabase("data");
        await using var runtime = db.OpenRuntime();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => runtime.TransactAsync(tx =>
        {
            tx.InsertState(State("b"));
            tx.SetExecutionData(new ExecutionDataRecord("ghost", [], []));
            return 0;
        }));

        Assert.Contains("ghost", error.Message, StringComparison.Ordinal);
        // The whole work was undone, the state written before the data too.
        Assert.Null(await runtime.ReadAsync(tx => tx.GetState("b")));
    }
}
