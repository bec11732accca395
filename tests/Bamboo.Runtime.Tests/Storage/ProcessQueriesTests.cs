using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

public sealed class ProcessQueriesTests
{
    [Fact]
    public async Task The_last_child_to_arrive_releases_the_parent_and_resets_its_count()
    {
        using var db = new TempDatabase("process");
        await using var runtime = db.OpenRuntime();
        var (arrivals, after) = await runtime.TransactAsync(tx =>
        {
            var parent = tx.InsertProcess(new ProcessRecord(0, "root", -1, "", "pg", ["root"], true, false, "", false, 3, 0, 1, 0, ""));
            var arrivals = Enumerable.Range(0, 3).Select(_ => (tx.AcknowledgeChild(parent), tx.GetProcess(parent).AckNum)).ToList();
            return (arrivals, tx.GetProcess(parent));
        });

        Assert.Equal([(false, 1), (false, 2), (true, 0)], arrivals);
        Assert.Equal(-1, after.NeedAck);
        await Assert.ThrowsAsync<NotFoundError>(() => runtime.TransactAsync(tx => tx.AcknowledgeChild(999)));
    }

    [Fact]
    public async Task Lookups_by_node_by_suspender_and_by_parent_stay_within_the_run()
    {
        using var db = new TempDatabase("process");
        await using var runtime = db.OpenRuntime();
        var (at, suspended, children) = await runtime.TransactAsync(tx =>
        {
            var ids = new Dictionary<string, long>();
            foreach (var root in new[] { "r1", "r2" })
            {
                Assert.Null(tx.InsertRun(new RunRecord(root, "{}", false, [], 1), [root, $"{root}-a", $"{root}-b"]));
                var parent = tx.InsertProcess(new ProcessRecord(0, root, -1, "", $"{root}-a", [root], true, false, "", false, 2, 0, 1, 0, ""));
                ids[root] = parent;
                tx.InsertProcess(new ProcessRecord(0, root, parent, "", $"{root}-b", [root], false, true, root, false, -1, 0, 1, 0, ""));
                tx.InsertProcess(new ProcessRecord(0, root, parent, "", $"{root}-b", [root], true, false, "", true, -1, 0, 1, 0, ""));
            }

            return (tx.GetProcessesAt("r1-b", asleep: null, dead: false), tx.GetProcessesSuspendedBy("r1"), tx.GetChildren(ids["r1"]));
        });

        Assert.Equal([("r1", "r1-b", false)], at.Select(p => (p.RootPipelineId, p.CurrentNodeId, p.Dead)));
        Assert.Equal([("r1", true)], suspended.Select(p => (p.RootPipelineId, p.Suspended)));
        Assert.Equal(2, children.Count);
        Assert.All(children, c => Assert.Equal("r1", c.RootPipelineId));
    }
}
