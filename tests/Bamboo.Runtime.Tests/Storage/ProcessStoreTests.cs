using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>Processes (tokens): their rows, the converge count, and the operator lookups that stay within one run.</summary>
public abstract class ProcessStoreTests : StoreTests
{
    [Fact]
    public async Task InsertAsync_ThenGetAsync_ReturnsEveryFieldUnderTheNewId()
    {
        var process = new ProcessRecord(0, "root", 7, "dest", "node", ["root", "sub"], true, true, "sub", true, 3, 1, 42, 200, "fast");

        var (first, second) = await Sut.WriteAsync(async tx => (await tx.Processes.InsertAsync(process), await tx.Processes.InsertAsync(process)));

        Assert.NotEqual(first, second);
        Assert.Equal(process with { Id = second }, await Sut.ReadAsync(tx => tx.Processes.GetAsync(second)), ProcessComparer.Instance);
    }

    [Fact]
    public async Task InsertAllAsync_AFork_ReturnsEachProcessItsOwnIdInOrder()
    {
        var children = Enumerable.Range(0, 20).Select(i => Process("root", $"branch{i}", parentId: 1)).ToList();

        var ids = await Sut.WriteAsync(tx => tx.Processes.InsertAllAsync(children));

        Assert.Equal(20, ids.Distinct().Count());
        var stored = await Sut.ReadAsync(async tx =>
        {
            var found = new List<ProcessRecord>();
            foreach (var id in ids)
            {
                found.Add(await tx.Processes.GetAsync(id));
            }

            return found;
        });
        Assert.Equal(children.Select((c, i) => c with { Id = ids[i] }), stored, ProcessComparer.Instance);
        Assert.Empty(await Sut.WriteAsync(tx => tx.Processes.InsertAllAsync([])));
    }

    [Fact]
    public async Task GetAsync_UnknownId_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<NotFoundError>(() => Sut.ReadAsync(tx => tx.Processes.GetAsync(999)));
    }

    [Fact]
    public async Task UpdateAsync_MovedProcess_WritesTheWalkAndKeepsWhereItBelongs()
    {
        var id = await Sut.WriteAsync(tx => tx.Processes.InsertAsync(Process("root", "a", parentId: 3)));
        var moved = new ProcessRecord(id, "other", 9, "dest", "b", ["root", "sub"], true, true, "sub", true, 2, 1, 50, 1, "other");

        await WriteAsync(tx => tx.Processes.UpdateAsync(moved));

        // Run, parent, priority and queue are set once, at the insert.
        var expected = moved with { RootPipelineId = "root", ParentId = 3, Priority = 100, Queue = "" };
        Assert.Equal(expected, await Sut.ReadAsync(tx => tx.Processes.GetAsync(id)), ProcessComparer.Instance);
    }

    [Fact]
    public async Task AcknowledgeChildAsync_LastChildToArrive_ReleasesTheParentAndResetsItsCount()
    {
        var (arrivals, after) = await Sut.WriteAsync(async tx =>
        {
            var parent = await tx.Processes.InsertAsync(Process("root", "pg", asleep: true, needAck: 3));
            var arrivals = new List<(bool, int)>();
            for (var i = 0; i < 3; i++)
            {
                arrivals.Add((await tx.Processes.AcknowledgeChildAsync(parent), (await tx.Processes.GetAsync(parent)).AckNum));
            }

            return (arrivals, await tx.Processes.GetAsync(parent));
        });

        Assert.Equal([(false, 1), (false, 2), (true, 0)], arrivals);
        Assert.Equal(-1, after.NeedAck);
    }

    [Fact]
    public async Task AcknowledgeChildAsync_UnknownParent_ThrowsNotFound()
    {
        await Assert.ThrowsAsync<NotFoundError>(() => Sut.WriteAsync(tx => tx.Processes.AcknowledgeChildAsync(999)));
    }

    [Fact]
    public async Task Lookups_TwoRunsAlike_ByNodeBySuspenderAndByParentStayWithinTheRun()
    {
        var (at, suspended, children) = await Sut.WriteAsync(async tx =>
        {
            var parents = new Dictionary<string, long>();
            foreach (var root in new[] { "r1", "r2" })
            {
                await tx.Runs.InsertAsync(Run(root), [root, $"{root}-a", $"{root}-b"]);
                var parent = await tx.Processes.InsertAsync(Process(root, $"{root}-a", asleep: true, needAck: 2));
                parents[root] = parent;
                await tx.Processes.InsertAsync(Process(root, $"{root}-b", parentId: parent, suspended: true, suspendedBy: root));
                await tx.Processes.InsertAsync(Process(root, $"{root}-b", parentId: parent, asleep: true, dead: true));
            }

            return (await tx.Processes.GetAtAsync("r1-b", asleep: null, dead: false), await tx.Processes.GetSuspendedByAsync("r1"), await tx.Processes.GetChildrenAsync(parents["r1"]));
        });

        Assert.Equal([("r1", "r1-b", false)], at.Select(p => (p.RootPipelineId, p.CurrentNodeId, p.Dead)));
        Assert.Equal([("r1", true)], suspended.Select(p => (p.RootPipelineId, p.Suspended)));
        Assert.Equal(2, children.Count);
        Assert.All(children, c => Assert.Equal("r1", c.RootPipelineId));
    }

    [Theory]
    [InlineData(null, null, 3)]
    [InlineData(true, null, 2)]
    [InlineData(false, null, 1)]
    [InlineData(true, true, 1)]
    [InlineData(true, false, 1)]
    [InlineData(null, true, 1)]
    public async Task GetAtAsync_AsleepAndDeadFilters_AreAppliedOnlyWhenGiven(bool? asleep, bool? dead, int expected)
    {
        await WriteAsync(async tx =>
        {
            await tx.Runs.InsertAsync(Run("root"), ["root", "n"]);
            await tx.Processes.InsertAsync(Process("root", "n"));
            await tx.Processes.InsertAsync(Process("root", "n", asleep: true));
            await tx.Processes.InsertAsync(Process("root", "n", asleep: true, dead: true));
        });

        var found = await Sut.ReadAsync(tx => tx.Processes.GetAtAsync("n", asleep, dead));

        Assert.Equal(expected, found.Count);
    }

    /// <summary>Records hold their stack as a list, which record equality compares by reference.</summary>
    private sealed class ProcessComparer : IEqualityComparer<ProcessRecord>
    {
        public static ProcessComparer Instance { get; } = new();

        public bool Equals(ProcessRecord? x, ProcessRecord? y) =>
            x is not null && y is not null && x.PipelineStack.SequenceEqual(y.PipelineStack) && x == y with { PipelineStack = x.PipelineStack };

        public int GetHashCode(ProcessRecord obj) => obj.Id.GetHashCode();
    }
}
