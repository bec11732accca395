using System.Data.Common;
using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>Schedule phases of activities, callback payloads, and the histories of replaced attempts.</summary>
public abstract class ScheduleStoreTests : StoreTests
{
    private static ScheduleRecord Schedule(string nodeId, string version) => new(0, 1, 7, nodeId, version, false, false, true, null, 0);

    [Fact]
    public async Task InsertAsync_ThenGetAsync_FindsTheScheduleByIdAndByNodeAndVersion()
    {
        var id = await Sut.WriteAsync(tx => tx.Schedules.InsertAsync(Schedule("a", "v1")));

        var (byId, byVersion, otherVersion) = await Sut.ReadAsync(async tx =>
            (await tx.Schedules.GetAsync(id), await tx.Schedules.GetAsync("a", "v1"), await tx.Schedules.GetAsync("a", "v2")));

        Assert.Equal(Schedule("a", "v1") with { Id = id }, byId);
        Assert.Equal(byId, byVersion);
        Assert.Null(otherVersion);
        Assert.Null(await Sut.ReadAsync(tx => tx.Schedules.GetAsync(id + 1)));
    }

    [Fact]
    public async Task InsertAsync_SecondScheduleOfTheSameVersion_FailsTheWrite()
    {
        await Sut.WriteAsync(tx => tx.Schedules.InsertAsync(Schedule("a", "v1")));

        await Assert.ThrowsAnyAsync<DbException>(() => Sut.WriteAsync(tx => tx.Schedules.InsertAsync(Schedule("a", "v1"))));
    }

    [Fact]
    public async Task GetLatestAsync_SeveralVersions_ReturnsTheLastInserted()
    {
        await WriteAsync(async tx =>
        {
            await tx.Schedules.InsertAsync(Schedule("a", "v2"));
            await tx.Schedules.InsertAsync(Schedule("a", "v1"));
            await tx.Schedules.InsertAsync(Schedule("b", "v3"));
        });

        var (latest, none) = await Sut.ReadAsync(async tx => (await tx.Schedules.GetLatestAsync("a"), await tx.Schedules.GetLatestAsync("c")));

        Assert.Equal("v1", latest!.Version);
        Assert.Null(none);
    }

    [Fact]
    public async Task UpdateAsync_ChangedPhase_WritesThePhaseFieldsOnly()
    {
        var id = await Sut.WriteAsync(tx => tx.Schedules.InsertAsync(Schedule("a", "v1")));
        var changed = new ScheduleRecord(id, 2, 99, "other", "v9", true, true, false, 12, 3);

        await WriteAsync(tx => tx.Schedules.UpdateAsync(changed));

        var stored = await Sut.ReadAsync(tx => tx.Schedules.GetAsync(id));
        Assert.Equal(Schedule("a", "v1") with { Id = id, Finished = true, Expired = true, Scheduling = false, LockOwner = 12, Times = 3 }, stored);
    }

    [Fact]
    public async Task InsertCallbackDataAsync_ThenGet_ReturnsThePayloadUnderItsId()
    {
        var payload = new JsonObject { ["result"] = "中文 🚀", ["n"] = new JsonArray(1, 2) };

        var (first, second) = await Sut.WriteAsync(async tx =>
            (await tx.Schedules.InsertCallbackDataAsync("a", "v1", payload), await tx.Schedules.InsertCallbackDataAsync("a", "v1", [])));

        var stored = await Sut.ReadAsync(tx => tx.Schedules.GetCallbackDataAsync(first));
        Assert.NotEqual(first, second);
        Assert.Equal((first, "a", "v1", payload.ToJsonString()), (stored!.Id, stored.NodeId, stored.Version, stored.Data.ToJsonString()));
        Assert.Null(await Sut.ReadAsync(tx => tx.Schedules.GetCallbackDataAsync(second + 1)));
    }

    [Fact]
    public async Task GetHistoriesAsync_AnyLoopOrOne_ReturnsTheNodesHistoriesInOrder()
    {
        await WriteAsync(async tx =>
        {
            foreach (var (node, loop, version) in new[] { ("a", 1, "v1"), ("a", 1, "v2"), ("b", 1, "v3"), ("a", 2, "v4") })
            {
                await tx.Schedules.AddHistoryAsync(new HistoryRecord(0, node, loop, 0, false, version, 1, 2, [], []));
            }
        });

        var (all, second) = await Sut.ReadAsync(async tx => (await tx.Schedules.GetHistoriesAsync("a"), await tx.Schedules.GetHistoriesAsync("a", loop: 2)));

        Assert.Equal(["v1", "v2", "v4"], all.Select(h => h.Version));
        Assert.Equal(["v4"], second.Select(h => h.Version));
    }

    [Theory]
    [InlineData("中文 ünïcode 🚀")]
    [InlineData(null)]
    public async Task AddHistoryAsync_TextOfAnyKindAndLength_RoundTrips(string? text)
    {
        var value = text ?? new string('y', 100_000);
        var history = new HistoryRecord(0, "n", 3, 2, true, "v1", 10, null, new JsonObject { ["in"] = value }, new JsonObject { ["out"] = "" });

        await WriteAsync(tx => tx.Schedules.AddHistoryAsync(history));

        var stored = (await Sut.ReadAsync(tx => tx.Schedules.GetHistoriesAsync("n"))).Single();
        Assert.Equal((history.NodeId, history.Loop, history.Retry, history.Skip, history.Version, history.StartedTime, history.ArchivedTime),
            (stored.NodeId, stored.Loop, stored.Retry, stored.Skip, stored.Version, stored.StartedTime, stored.ArchivedTime));
        Assert.Equal(value, (string?)stored.Inputs["in"]);
        Assert.Equal("", (string?)stored.Outputs["out"]);
    }
}
