using System.Data.Common;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>Node states: the compare-and-set write every step makes, and the reads the hot path uses.</summary>
public abstract class StateStoreTests : StoreTests
{
    [Fact]
    public async Task GetAsync_UnknownNode_ReturnsNull()
    {
        var state = await Sut.ReadAsync(tx => tx.States.GetAsync("missing"));

        Assert.Null(state);
    }

    [Fact]
    public async Task InsertAsync_ThenGetAsync_ReturnsEveryField()
    {
        var running = new StateRecord("a", "root", "sub", "RUNNING", "v1", 3, 2, 1, true, true, 10, 20, null);
        var finished = new StateRecord("b", "root", "root", "FINISHED", "v2", 1, 1, 0, false, false, 11, null, 30);

        await WriteAsync(async tx =>
        {
            await tx.States.InsertAsync(running);
            await tx.States.InsertAsync(finished);
        });

        Assert.Equal(running, await Sut.ReadAsync(tx => tx.States.GetAsync("a")));
        Assert.Equal(finished, await Sut.ReadAsync(tx => tx.States.GetAsync("b")));
    }

    [Fact]
    public async Task InsertAsync_NodeWithAState_FailsTheWriteAndKeepsTheStoredState()
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("a", "v1")));

        await Assert.ThrowsAnyAsync<DbException>(() => WriteAsync(tx => tx.States.InsertAsync(State("a", "v2"))));

        Assert.Equal("v1", (await Sut.ReadAsync(tx => tx.States.GetAsync("a")))!.Version);
    }

    [Fact]
    public async Task UpdateAsync_ExpectedVersionIsStored_WritesTheRecord()
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("a", "v1", "READY")));
        var next = State("a", "v2", "RUNNING") with { Loop = 2, StartedTime = 5 };

        var written = await Sut.WriteAsync(tx => tx.States.UpdateAsync(next, "v1"));

        Assert.True(written);
        Assert.Equal(next, await Sut.ReadAsync(tx => tx.States.GetAsync("a")));
    }

    [Fact]
    public async Task UpdateAsync_StaleExpectedVersion_ReturnsFalseAndChangesNothing()
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("a", "v2", "RUNNING")));

        var written = await Sut.WriteAsync(tx => tx.States.UpdateAsync(State("a", "v3", "FAILED"), "v1"));

        Assert.False(written);
        Assert.Equal(("v2", "RUNNING"), await Sut.ReadAsync(async tx => (await tx.States.GetAsync("a")) is { } s ? (s.Version, s.Name) : default));
    }

    [Fact]
    public async Task UpdateAsync_NodeWithoutAState_ReturnsFalse()
    {
        var written = await Sut.WriteAsync(tx => tx.States.UpdateAsync(State("ghost"), "v1"));

        Assert.False(written);
        Assert.Null(await Sut.ReadAsync(tx => tx.States.GetAsync("ghost")));
    }

    [Fact]
    public async Task UpdateOrThrowAsync_ExpectedVersionIsStored_WritesTheRecord()
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("a", "v1", "READY")));
        var next = State("a", "v2", "RUNNING") with { StartedTime = 5 };

        await WriteAsync(tx => tx.States.UpdateOrThrowAsync(next, "v1"));

        Assert.Equal(next, await Sut.ReadAsync(tx => tx.States.GetAsync("a")));
    }

    [Fact]
    public async Task UpdateOrThrowAsync_StaleExpectedVersion_FailsTheWorkAndCommitsNothingOfIt()
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("a", "v2", "RUNNING")));

        await Assert.ThrowsAsync<StateVersionNotMatchException>(() => WriteAsync(async tx =>
        {
            await tx.States.InsertAsync(State("written-before"));
            await tx.States.UpdateOrThrowAsync(State("a", "v3", "FAILED"), "v1");
            await tx.States.InsertAsync(State("written-after"));
        }));

        var states = await Sut.ReadAsync(tx => tx.States.GetManyAsync(["a", "written-before", "written-after"]));
        Assert.Equal([("a", "v2", "RUNNING")], states.Select(s => (s.NodeId, s.Version, s.Name)));
    }

    [Fact]
    public async Task UpdateOrThrowAsync_StaleVersionThenReadsAndAnotherFailure_FailsWithTheVersionMismatch()
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("a", "v2", "RUNNING")));

        // A store may send the update with the read that follows: the work goes on, but fails as if it had stopped there.
        await Assert.ThrowsAsync<StateVersionNotMatchException>(() => WriteAsync(async tx =>
        {
            await tx.States.UpdateOrThrowAsync(State("a", "v3", "FAILED"), "v1");
            var read = await tx.States.GetAsync("a");
            await tx.States.InsertAsync(State("written-after"));
            throw new InvalidOperationException($"what the work did with {read?.Version}");
        }));

        Assert.Null(await Sut.ReadAsync(tx => tx.States.GetAsync("written-after")));
    }

    [Fact]
    public async Task InsertAsync_ThenReadsInTheSameWork_SeeTheWrites()
    {
        var seen = await Sut.WriteAsync(async tx =>
        {
            await tx.States.InsertAsync(State("a", "v1", "READY"));
            await tx.States.UpdateOrThrowAsync(State("a", "v2", "RUNNING"), "v1");
            await tx.States.InsertAsync(State("b"));
            return (await tx.States.GetAsync("a"), await tx.States.GetManyAsync(["a", "b"]));
        });

        Assert.Equal(("v2", "RUNNING"), (seen.Item1!.Version, seen.Item1.Name));
        Assert.Equal(2, seen.Item2.Count);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    public async Task GetManyAsync_IdsRepeatedOrMissing_EachStoredStateOnce(int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"n{i}").ToList();
        await WriteAsync(async tx =>
        {
            foreach (var id in ids)
            {
                await tx.States.InsertAsync(State(id));
            }
        });

        // Short lists and long ones take different statements; both give each stored state once.
        var asked = ids.Concat(ids).Append("missing").Reverse().ToList();
        var states = await Sut.ReadAsync(tx => tx.States.GetManyAsync(asked));
        Assert.Equal(ids.Order(StringComparer.Ordinal), states.Select(s => s.NodeId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ResetInnerLoopAsync_SomeNodes_ResetsOnlyThose()
    {
        await WriteAsync(async tx =>
        {
            foreach (var id in new[] { "a", "b", "c" })
            {
                await tx.States.InsertAsync(State(id, parentId: "sub") with { Loop = 3, InnerLoop = 3 });
            }

            await tx.States.ResetInnerLoopAsync(["a", "b", "missing"]);
        });

        var loops = await Sut.ReadAsync(async tx =>
        {
            var states = await tx.States.GetManyAsync(["a", "b", "c"]);
            return states.OrderBy(s => s.NodeId, StringComparer.Ordinal).Select(s => (s.InnerLoop, s.Loop)).ToList();
        });
        Assert.Equal([(0, 3), (0, 3), (3, 3)], loops);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(12)]
    public async Task GetManyAsync_IdListOfAnyLength_ReturnsTheStoredStatesOnly(int count)
    {
        var ids = Enumerable.Range(0, count).Select(i => $"n{i}").ToList();
        var stored = ids.Where((_, i) => i % 2 == 0).ToList();
        await WriteAsync(async tx =>
        {
            foreach (var id in stored)
            {
                await tx.States.InsertAsync(State(id, name: "READY"));
            }
        });

        var found = await Sut.ReadAsync(tx => tx.States.GetManyAsync(ids));

        Assert.Equal(stored.Order(StringComparer.Ordinal), found.Select(s => s.NodeId).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(9)]
    public async Task GetStepStatesAsync_StackOfAnyDepth_ReturnsTheNodeAndOnlyThePipelinesThatStopIt(int depth)
    {
        var stack = Enumerable.Range(0, depth).Select(i => $"p{i}").ToList();
        string[] names = ["RUNNING", "SUSPENDED", "REVOKED", "FINISHED"];
        string[] stopping = ["SUSPENDED", "REVOKED"];

        var (withState, fresh) = await Sut.WriteAsync(async tx =>
        {
            for (var i = 0; i < depth; i++)
            {
                await tx.States.InsertAsync(State(stack[i], name: names[i % names.Length], parentId: i == 0 ? "" : stack[i - 1], rootId: "p0"));
            }

            await tx.States.InsertAsync(State("node", name: "READY", parentId: depth == 0 ? "" : stack[^1], rootId: "p0"));
            return (await tx.States.GetStepStatesAsync("node", stack, stopping), await tx.States.GetStepStatesAsync("fresh", stack, stopping));
        });

        var expected = stack.Where((_, i) => stopping.Contains(names[i % names.Length])).ToList();
        Assert.Equal("READY", withState.Node!.Name);
        Assert.Equal(expected, withState.Stopping.Select(s => s.NodeId).Order(StringComparer.Ordinal));
        Assert.Null(fresh.Node);
        Assert.Equal(expected, fresh.Stopping.Select(s => s.NodeId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task GetStepStatesAsync_NoStoppingStates_ReturnsTheNodeAlone()
    {
        await WriteAsync(async tx =>
        {
            await tx.States.InsertAsync(State("p0", name: "SUSPENDED", parentId: "", rootId: "p0"));
            await tx.States.InsertAsync(State("node", name: "READY", parentId: "p0", rootId: "p0"));
        });

        var (node, stopping) = await Sut.ReadAsync(tx => tx.States.GetStepStatesAsync("node", ["p0"], []));

        Assert.Equal("READY", node!.Name);
        Assert.Empty(stopping);
    }
}
