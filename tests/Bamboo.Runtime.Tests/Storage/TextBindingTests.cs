using System.Text.Json.Nodes;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Storage;

/// <summary>Text is bound through a reused UTF-8 buffer; every kind of string must come back as it went in.</summary>
public sealed class TextBindingTests
{
    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("中文 ünïcode 🚀")]
    [InlineData(null)]
    public async Task Strings_round_trip(string? text)
    {
        using var db = new TempDatabase("text");
        await using var runtime = db.OpenRuntime();
        var value = text ?? new string('x', 100_000); // null: a value far larger than the initial buffer
        await runtime.TransactAsync(tx =>
        {
            tx.SetExecutionData(new ExecutionDataRecord("short", new JsonObject { ["v"] = "a" }, []));
            tx.SetExecutionData(new ExecutionDataRecord(value.Length == 0 ? "empty" : "n", new JsonObject { ["v"] = value }, new JsonObject { ["w"] = "" }));
            // Data is stored with its node's state; the short text is bound first, the long one next, by one statement.
            foreach (var node in new[] { "short", value.Length == 0 ? "empty" : "n" })
            {
                tx.InsertState(new StateRecord(node, "root", "root", "FINISHED", "v", 1, 1, 0, false, false, 1, 1, 1));
            }

            return 0;
        });

        var stored = await runtime.ReadAsync(tx => tx.GetExecutionData(value.Length == 0 ? "empty" : "n"));
        Assert.Equal(value, (string?)stored!.Inputs["v"]);
        Assert.Equal("", (string?)stored.Outputs["w"]);
        Assert.Equal("a", (string?)(await runtime.ReadAsync(tx => tx.GetExecutionData("short")))!.Inputs["v"]);
    }

    [Theory]
    [InlineData("中文 ünïcode 🚀")]
    [InlineData(null)]
    public async Task Json_values_round_trip(string? text)
    {
        using var db = new TempDatabase("text");
        await using var runtime = db.OpenRuntime();
        var value = text ?? new string('y', 100_000);
        await runtime.TransactAsync(tx =>
        {
            // Both write a JsonNode: turned into UTF-8 by the store, no string in between.
            tx.SetRawInputsOverride("n", new JsonObject { ["v"] = value });
            tx.AddHistory(new HistoryRecord(0, "n", 1, 0, false, "v1", 1, 2, new JsonObject { ["in"] = value }, new JsonObject { ["out"] = "" }));
            return 0;
        });

        var (inputs, history) = await runtime.ReadAsync(tx => (tx.GetRawInputsOverride("n"), tx.GetHistories("n").Single()));
        Assert.Equal(value, (string?)inputs!["v"]);
        Assert.Equal(value, (string?)history.Inputs["in"]);
        Assert.Equal("", (string?)history.Outputs["out"]);
    }
}
