using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>
/// Execution data, retry input overrides and context values. A node's execution data is stored in its state row:
/// data recorded before the state in the same work is written by the state's own insert or update, and data for a
/// node whose state is not written is written when the work ends.
/// </summary>
public abstract class DataStoreTests : StoreTests
{
    [Fact]
    public async Task SetExecutionDataAsync_BeforeTheStateIsInserted_IsStoredWithIt()
    {
        await WriteAsync(async tx =>
        {
            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord("a", new JsonObject { ["in"] = 1 }, new JsonObject { ["out"] = "x" }));
            await tx.States.InsertAsync(State("a"));
        });

        var data = await Sut.ReadAsync(tx => tx.Data.GetExecutionDataAsync("a"));
        Assert.Equal("""{"in":1}""", data!.Inputs.ToJsonString());
        Assert.Equal("""{"out":"x"}""", data.Outputs.ToJsonString());
        Assert.Equal(1L, await Database.CountAsync("SELECT COUNT(*) FROM states WHERE node_id = 'a' AND inputs IS NOT NULL"));
    }

    [Fact]
    public async Task SetExecutionDataAsync_StateNotRewritten_IsWrittenWhenTheWorkEnds()
    {
        await WriteAsync(tx => tx.States.InsertAsync(State("a")));
        Assert.Null(await Sut.ReadAsync(tx => tx.Data.GetExecutionDataAsync("a")));

        await WriteAsync(tx => tx.Data.SetExecutionDataAsync(new ExecutionDataRecord("a", [], new JsonObject { ["ex_data"] = "forced" })));

        var data = await Sut.ReadAsync(tx => tx.Data.GetExecutionDataAsync("a"));
        Assert.Equal("forced", (string?)data!.Outputs["ex_data"]);
        Assert.Equal("v1", (await Sut.ReadAsync(tx => tx.States.GetAsync("a")))!.Version);
    }

    [Fact]
    public async Task UpdateAsync_WithAndWithoutNewData_KeepsTheLatestDataRecorded()
    {
        await WriteAsync(async tx =>
        {
            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord("a", new JsonObject { ["n"] = 1 }, []));
            await tx.States.InsertAsync(State("a", "v1"));
        });

        await Sut.WriteAsync(tx => tx.States.UpdateAsync(State("a", "v2"), "v1"));
        Assert.Equal(1, (int)(await Sut.ReadAsync(tx => tx.Data.GetExecutionDataAsync("a")))!.Inputs["n"]!);

        await Sut.WriteAsync(async tx =>
        {
            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord("a", new JsonObject { ["n"] = 2 }, []));
            return await tx.States.UpdateAsync(State("a", "v3"), "v2");
        });
        var (state, data) = await Sut.ReadAsync(async tx => (await tx.States.GetAsync("a"), await tx.Data.GetExecutionDataAsync("a")));
        Assert.Equal("v3", state!.Version);
        Assert.Equal(2, (int)data!.Inputs["n"]!);
    }

    [Fact]
    public async Task GetExecutionDataAsync_PendingInTheSameWork_ReturnsWhatWasRecordedNotTheCallersLaterChanges()
    {
        var seen = await Sut.WriteAsync(async tx =>
        {
            var outputs = new JsonObject { ["k"] = "before" };
            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord("a", [], outputs));
            outputs["k"] = "after";
            var read = await tx.Data.GetExecutionDataAsync("a");
            await tx.States.InsertAsync(State("a"));
            return (string?)read!.Outputs["k"];
        });

        Assert.Equal("before", seen);
        Assert.Equal("before", (string?)(await Sut.ReadAsync(tx => tx.Data.GetExecutionDataAsync("a")))!.Outputs["k"]);
    }

    [Fact]
    public async Task SetExecutionDataAsync_NodeWithoutAState_FailsTheWholeWorkAndNamesTheNode()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => WriteAsync(async tx =>
        {
            await tx.States.InsertAsync(State("b"));
            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord("ghost", [], []));
        }));

        Assert.Contains("ghost", error.Message, StringComparison.Ordinal);
        Assert.Null(await Sut.ReadAsync(tx => tx.States.GetAsync("b")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("中文 ünïcode 🚀")]
    [InlineData(null)]
    public async Task SetExecutionDataAsync_TextOfAnyKindAndLength_RoundTrips(string? text)
    {
        // null: a value far larger than a statement's first text buffer.
        var value = text ?? new string('x', 100_000);
        var node = value.Length == 0 ? "empty" : "n";

        await WriteAsync(async tx =>
        {
            // The short text is bound first, the long one next, by the same statement.
            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord("short", new JsonObject { ["v"] = "a" }, []));
            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(node, new JsonObject { ["v"] = value }, new JsonObject { ["w"] = "" }));
            await tx.States.InsertAsync(State("short"));
            await tx.States.InsertAsync(State(node));
        });

        var (stored, shortData) = await Sut.ReadAsync(async tx => (await tx.Data.GetExecutionDataAsync(node), await tx.Data.GetExecutionDataAsync("short")));
        Assert.Equal(value, (string?)stored!.Inputs["v"]);
        Assert.Equal("", (string?)stored.Outputs["w"]);
        Assert.Equal("a", (string?)shortData!.Inputs["v"]);
    }

    [Theory]
    [InlineData("中文 ünïcode 🚀")]
    [InlineData(null)]
    public async Task SetRawInputsOverrideAsync_TextOfAnyKindAndLength_RoundTrips(string? text)
    {
        var value = text ?? new string('y', 100_000);

        await WriteAsync(tx => tx.Data.SetRawInputsOverrideAsync("n", new JsonObject { ["v"] = value }));

        var inputs = await Sut.ReadAsync(tx => tx.Data.GetRawInputsOverrideAsync("n"));
        Assert.Equal(value, (string?)inputs!["v"]);
    }

    [Fact]
    public async Task SetRawInputsOverrideAsync_SetAgain_ReplacesTheOverride()
    {
        Assert.Null(await Sut.ReadAsync(tx => tx.Data.GetRawInputsOverrideAsync("n")));
        await WriteAsync(tx => tx.Data.SetRawInputsOverrideAsync("n", new JsonObject { ["v"] = 1 }));

        await WriteAsync(tx => tx.Data.SetRawInputsOverrideAsync("n", new JsonObject { ["w"] = 2 }));

        Assert.Equal("""{"w":2}""", (await Sut.ReadAsync(tx => tx.Data.GetRawInputsOverrideAsync("n")))!.ToJsonString());
    }

    [Fact]
    public async Task UpsertContextValueAsync_NewAndExistingKeys_StoresOneValuePerKeyOfEachPipeline()
    {
        await WriteAsync(async tx =>
        {
            await tx.Data.UpsertContextValueAsync("p1", new ContextValue("${b}", ContextValueType.Plain, JsonValue.Create("first"), "", []));
            await tx.Data.UpsertContextValueAsync("p1", new ContextValue("${a}", ContextValueType.Splice, JsonValue.Create("${b}-x"), "", ["${b}"]));
            await tx.Data.UpsertContextValueAsync("p2", new ContextValue("${b}", ContextValueType.Plain, JsonValue.Create(2), "", []));
        });

        await WriteAsync(tx => tx.Data.UpsertContextValueAsync("p1", new ContextValue("${b}", ContextValueType.Compute, null, "var_code", ["${c}", "${d}"])));

        var (p1, p2) = await Sut.ReadAsync(async tx => (await tx.Data.GetContextValuesAsync("p1"), await tx.Data.GetContextValuesAsync("p2")));
        Assert.Equal(["${a}", "${b}"], p1.Select(v => v.Key));
        Assert.Equal((ContextValueType.Splice, "\"${b}-x\"", "", "${b}"), (p1[0].Type, p1[0].Value!.ToJsonString(), p1[0].Code, string.Join(",", p1[0].References)));
        Assert.Equal((ContextValueType.Compute, null, "var_code", "${c},${d}"), (p1[1].Type, p1[1].Value, p1[1].Code, string.Join(",", p1[1].References)));
        Assert.Equal(2, (int)p2.Single().Value!);
    }

    [Fact]
    public async Task GetContextValuesAsync_SomeKeys_ReturnsOnlyTheStoredOnesAmongThem()
    {
        await WriteAsync(async tx =>
        {
            foreach (var key in new[] { "${a}", "${b}", "${c}" })
            {
                await tx.Data.UpsertContextValueAsync("p", new ContextValue(key, ContextValueType.Plain, JsonValue.Create(key), "", []));
            }
        });

        var values = await Sut.ReadAsync(tx => tx.Data.GetContextValuesAsync("p", ["${c}", "${missing}", "${a}"]));

        Assert.Equal(["${a}", "${c}"], values.Select(v => v.Key).Order(StringComparer.Ordinal));
    }
}
