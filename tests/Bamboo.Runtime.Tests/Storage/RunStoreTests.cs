using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// Runs and the index of their node ids. A run's ids are indexed by one insert; a taken id leaves none of the run's
/// ids behind, and nothing else of the transaction is undone.
/// </summary>
public abstract class RunStoreTests : StoreTests
{
    [Fact]
    public async Task InsertAsync_FreshIds_StoresTheRunAndIndexesEveryId()
    {
        var run = new RunRecord("p1", """{"id":"p1"}""", true, new JsonObject { ["k"] = "v" }, 42);

        var taken = await Sut.WriteAsync(tx => tx.Runs.InsertAsync(run, ["p1", "a", "b"]));

        Assert.Null(taken);
        var (stored, roots) = await Sut.ReadAsync(async tx =>
        {
            var roots = new List<string?>();
            foreach (var id in new[] { "p1", "a", "b", "unknown" })
            {
                roots.Add(await tx.Runs.GetNodeRootAsync(id));
            }

            return (await tx.Runs.GetAsync("p1"), roots);
        });
        Assert.Equal((run.RootId, run.TreeJson, run.CycleTolerate, run.RootPipelineData.ToJsonString(), run.CreatedAt),
            (stored!.RootId, stored.TreeJson, stored.CycleTolerate, stored.RootPipelineData.ToJsonString(), stored.CreatedAt));
        Assert.Equal(["p1", "p1", "p1", null], roots);
    }

    [Fact]
    public async Task GetAsync_UnknownRoot_ReturnsNull()
    {
        Assert.Null(await Sut.ReadAsync(tx => tx.Runs.GetAsync("missing")));
    }

    [Fact]
    public async Task InsertAsync_TakenNodeId_UndoesTheRunsIdsAndKeepsTheRestOfTheTransaction()
    {
        await Sut.WriteAsync(tx => tx.Runs.InsertAsync(Run("p1"), ["p1", "taken"]));

        var (taken, fresh, root, kept) = await Sut.WriteAsync(async tx =>
        {
            await tx.States.InsertAsync(State("kept", rootId: "p0", parentId: "p0"));
            var taken = await tx.Runs.InsertAsync(Run("p2"), ["p2", "fresh", "taken"]);
            return (taken, await tx.Runs.GetNodeRootAsync("fresh"), await tx.Runs.GetNodeRootAsync("p2"), await tx.States.GetAsync("kept"));
        });

        Assert.Equal("taken", taken);
        Assert.Null(fresh);
        Assert.Null(root);
        Assert.NotNull(kept);
        Assert.Equal("p1", await Sut.ReadAsync(tx => tx.Runs.GetNodeRootAsync("taken")));
        Assert.Null(await Sut.ReadAsync(tx => tx.Runs.GetAsync("p2")));
        Assert.Equal(1L, await Database.CountAsync("SELECT COUNT(*) FROM states WHERE node_id = 'kept'"));
    }

    [Fact]
    public async Task InsertAsync_RootThatRanBefore_ReportsTheRootBeforeItsNodeIds()
    {
        await Sut.WriteAsync(tx => tx.Runs.InsertAsync(Run("p1"), ["p1", "a"]));

        var taken = await Sut.WriteAsync(tx => tx.Runs.InsertAsync(Run("p1"), ["a", "p1"]));

        Assert.Equal("p1", taken);
    }

    [Fact]
    public async Task InsertAsync_RepeatedIdsInOneRun_AreRefused()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() => Sut.WriteAsync(tx => tx.Runs.InsertAsync(Run("p1"), ["p1", "a", "a"])));

        Assert.Contains("not unique", error.Message, StringComparison.Ordinal);
        Assert.Null(await Sut.ReadAsync(tx => tx.Runs.GetNodeRootAsync("p1")));
    }
}
