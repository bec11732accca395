using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>The state reads and writes the engine's hot path uses in place of per-state index lookups.</summary>
public sealed class StateQueriesTests
{
    [Fact]
    public async Task Inner_loops_are_reset_for_the_given_nodes_only()
    {
        using var db = new TempDatabase("schema");
        await using var runtime = db.OpenRuntime();
        await runtime.TransactAsync(tx =>
        {
            foreach (var id in new[] { "a", "b", "c" })
            {
                tx.InsertState(new StateRecord(id, "root", "sub", "FINISHED", "v", 3, 3, 0, false, false, 1, null, null));
            }

            tx.ResetInnerLoop(["a", "b", "missing"]);
            return 0;
        });

        var loops = await runtime.ReadAsync(tx => new[] { "a", "b", "c" }.Select(id => tx.GetState(id)!.InnerLoop).ToList());
        Assert.Equal([0, 0, 3], loops);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(12)]
    public async Task States_are_read_by_id_list_of_any_length(int count)
    {
        using var db = new TempDatabase("schema");
        await using var runtime = db.OpenRuntime();
        var ids = Enumerable.Range(0, count).Select(i => $"n{i}").ToList();
        await runtime.TransactAsync(tx =>
        {
            // Every other id gets a state.
            foreach (var id in ids.Where((_, i) => i % 2 == 0))
            {
                tx.InsertState(new StateRecord(id, "root", "root", "READY", "v", 1, 1, 0, false, false, 1, null, null));
            }

            return 0;
        });

        var found = await runtime.ReadAsync(tx => tx.GetStates(ids));
        Assert.Equal(ids.Where((_, i) => i % 2 == 0).Order(), found.Select(s => s.NodeId).Order());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(9)]
    public async Task A_steps_read_returns_the_node_and_only_the_stack_pipelines_that_stop_it(int depth)
    {
        using var db = new TempDatabase("schema");
        await using var runtime = db.OpenRuntime();
        var stack = Enumerable.Range(0, depth).Select(i => $"p{i}").ToList();
        string[] names = ["RUNNING", "SUSPENDED", "REVOKED", "FINISHED"];
        var read = await runtime.TransactAsync(tx =>
        {
            for (var i = 0; i < depth; i++)
            {
                tx.InsertState(new StateRecord(stack[i], "p0", i == 0 ? "" : stack[i - 1], names[i % names.Length], "v", 1, 1, 0, false, false, i, null, null));
            }

            tx.InsertState(new StateRecord("node", "p0", stack[^1], "READY", "v", 1, 1, 0, false, false, 1, null, null));
            return (tx.GetStepStates("node", stack), tx.GetStepStates("fresh", stack));
        });

        Assert.Equal("READY", read.Item1.Node!.Name);
        var expected = stack.Where((_, i) => names[i % names.Length] is "SUSPENDED" or "REVOKED").ToList();
        Assert.Equal(expected, read.Item1.Stopping.Select(s => s.NodeId).Order(StringComparer.Ordinal));
        Assert.Null(read.Item2.Node);
        Assert.Equal(expected, read.Item2.Stopping.Select(s => s.NodeId).Order(StringComparer.Ordinal));
    }
}
