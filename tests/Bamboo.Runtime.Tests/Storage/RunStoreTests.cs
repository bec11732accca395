using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// Runs and the index of their node ids. A run's ids are indexed by one insert; a taken id fails the work that
/// inserted it, leaving none of the run's ids behind, and the store then says which id it was.
/// </summary>
public abstract class RunStoreTests : StoreTests
{
    [Fact]
    public async Task InsertAsync_FreshIds_StoresTheRunAndIndexesEveryId()
    {
        var run = new RunRecord("p1", """{"id":"p1"}""", true, new JsonObject { ["k"] = "v" }, 42);

        await WriteAsync(tx => tx.Runs.InsertAsync(run, ["p1", "a", "b"]));

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
    public async Task InsertAsync_TakenNodeId_FailsTheWorkAndStoresNothingOfIt()
    {
        await WriteAsync(tx => tx.Runs.InsertAsync(Run("p1"), ["p1", "taken"]));

        var error = await Assert.ThrowsAsync<NodeIdsTakenException>(() => WriteAsync(async tx =>
        {
            await tx.States.InsertAsync(State("p2", rootId: "p2", parentId: ""));
            await tx.Runs.InsertAsync(Run("p2"), ["p2", "fresh", "taken"]);
            // Later writes and reads of the work: the check is made before they run, or they are undone with it.
            await tx.Processes.InsertAsync(Process("p2", "fresh"));
        }));

        Assert.Equal("p2", error.RootId);
        Assert.Equal("p1", await Sut.ReadAsync(tx => tx.Runs.GetNodeRootAsync("taken")));
        Assert.Null(await Sut.ReadAsync(tx => tx.Runs.GetNodeRootAsync("fresh")));
        Assert.Null(await Sut.ReadAsync(tx => tx.Runs.GetAsync("p2")));
        Assert.Equal(0L, await Database.CountAsync("SELECT COUNT(*) FROM states WHERE node_id = 'p2'"));
        Assert.Equal(0L, await Database.CountAsync("SELECT COUNT(*) FROM processes"));
        Assert.Equal("taken", await Sut.ReadAsync(tx => tx.Runs.FindTakenAsync("p2", ["p2", "fresh", "taken"])));
    }

    [Fact]
    public async Task InsertAsync_TakenIdCaughtByTheWork_LeavesNoneOfTheRunsIds()
    {
        await WriteAsync(tx => tx.Runs.InsertAsync(Run("p1"), ["p1", "taken"]));

        // Where the check is made at once the work may catch it and commit the rest; where it is made later the work fails.
        try
        {
            await WriteAsync(async tx =>
            {
                try
                {
                    await tx.Runs.InsertAsync(Run("p2"), ["p2", "fresh", "taken"]);
                }
                catch (NodeIdsTakenException)
                {
                    // Goes on without the run.
                }

                await tx.States.InsertAsync(State("kept", rootId: "p0", parentId: ""));
            });
        }
        catch (NodeIdsTakenException)
        {
            // Checked with the commit: nothing of the work stays.
        }

        Assert.Null(await Sut.ReadAsync(tx => tx.Runs.GetNodeRootAsync("fresh")));
        Assert.Null(await Sut.ReadAsync(tx => tx.Runs.GetNodeRootAsync("p2")));
        Assert.Equal("p1", await Sut.ReadAsync(tx => tx.Runs.GetNodeRootAsync("taken")));
    }

    [Fact]
    public async Task InsertAsync_RootThatRanBefore_FailsBeforeTheRunsOwnRowsCollide()
    {
        await WriteAsync(async tx =>
        {
            await tx.Runs.InsertAsync(Run("p1"), ["p1", "a"]);
            await tx.States.InsertAsync(State("p1", rootId: "p1", parentId: ""));
        });

        // The same rows again: the run's and its root state's keys are taken too, but the ids' check comes first.
        await Assert.ThrowsAsync<NodeIdsTakenException>(() => WriteAsync(async tx =>
        {
            await tx.Runs.InsertAsync(Run("p1"), ["p1", "a"]);
            await tx.States.InsertAsync(State("p1", rootId: "p1", parentId: ""));
            await tx.Processes.InsertAsync(Process("p1", "a"));
        }));

        Assert.Equal("p1", await Sut.ReadAsync(tx => tx.Runs.FindTakenAsync("p1", ["a", "p1"])));
    }

    [Fact]
    public async Task InsertAsync_RepeatedIdsInOneRun_AreRefusedAndNoneIsTaken()
    {
        await Assert.ThrowsAsync<NodeIdsTakenException>(() => WriteAsync(tx => tx.Runs.InsertAsync(Run("p1"), ["p1", "a", "a"])));

        Assert.Null(await Sut.ReadAsync(tx => tx.Runs.GetNodeRootAsync("p1")));
        Assert.Null(await Sut.ReadAsync(tx => tx.Runs.FindTakenAsync("p1", ["p1", "a", "a"])));
    }

    /// <summary>Stores a run named <paramref name="name"/> started at <paramref name="at"/>, its root in <paramref name="state"/>.</summary>
    private Task AddRunAsync(string rootId, string name, long at, string state) => WriteAsync(async tx =>
    {
        await tx.Runs.InsertAsync(new RunRecord(rootId, "{}", false, [], at) { Name = name }, [rootId]);
        await tx.States.InsertAsync(State(rootId, name: state, rootId: rootId, parentId: ""));
    });

    [Fact]
    public async Task ListAsync_PagesNewestFirstByKeyset_AndFiltersByStateTimeAndText()
    {
        await AddRunAsync("p_a", "Deploy Web", 100, "FINISHED");
        await AddRunAsync("p_b", "backup", 200, "RUNNING");
        await AddRunAsync("p_c", "deploy db", 200, "RUNNING");
        await AddRunAsync("q_d", "report", 300, "REVOKED");

        var all = await Sut.ReadAsync(tx => tx.Runs.ListAsync(new RunQuery()));
        var first = await Sut.ReadAsync(tx => tx.Runs.ListAsync(new RunQuery { Limit = 2 }));
        var next = await Sut.ReadAsync(tx => tx.Runs.ListAsync(new RunQuery { Limit = 2, AfterCreatedAt = first[^1].CreatedAt, AfterRootId = first[^1].RootId }));
        var running = await Sut.ReadAsync(tx => tx.Runs.ListAsync(new RunQuery { State = "RUNNING" }));
        var window = await Sut.ReadAsync(tx => tx.Runs.ListAsync(new RunQuery { CreatedFrom = 150, CreatedBefore = 300 }));
        var deploys = await Sut.ReadAsync(tx => tx.Runs.ListAsync(new RunQuery { Text = "DEPLOY" }));
        var underscore = await Sut.ReadAsync(tx => tx.Runs.ListAsync(new RunQuery { Text = "p_" }));

        Assert.Equal(["q_d", "p_c", "p_b", "p_a"], all.Select(r => r.RootId));
        Assert.Equal(("report", "REVOKED", 300L), (all[0].Name, all[0].State, all[0].CreatedAt));
        Assert.Equal(["q_d", "p_c"], first.Select(r => r.RootId));
        Assert.Equal(["p_b", "p_a"], next.Select(r => r.RootId));
        Assert.Equal(["p_c", "p_b"], running.Select(r => r.RootId));
        Assert.Equal(["p_c", "p_b"], window.Select(r => r.RootId));
        Assert.Equal(["p_c", "p_a"], deploys.Select(r => r.RootId));
        Assert.Equal(["p_c", "p_b", "p_a"], underscore.Select(r => r.RootId));
    }
}
