using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Execution;

namespace Bamboo.Runtime.Tests.Api;

/// <summary>
/// Hostile arguments to every function of the Engine API (issue "Hardening"): nulls, empty and blank ids, a megabyte
/// id, SQL and LIKE metacharacters, control characters, ids of the wrong kind of node. Each call returns result = false
/// with a message (or, for the queries the spec answers so, an empty result) and never throws; the store is row for row
/// what it was, and the pipeline beside them still runs.
/// </summary>
public sealed class ArgumentFuzzTests : IAsyncLifetime
{
    private readonly EngineHarness _h = new();

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _h.DisposeAsync();

    private const string Null = "(null)";

    private static readonly HashSet<string> EmptyAnswers =
    [
        "get_pipeline_states", "get_children_states", "get_execution_data_inputs", "get_execution_data_outputs", "get_node_histories",
        "get_node_short_histories",
    ];

    public static TheoryData<string> HostileIds() =>
    [
        Null, "", " ", "\0", "\u0000p_x", new string('n', 1024 * 1024), "'; DROP TABLE states; --", "%", "_", "n%' OR '1'='1",
        "节点\u200b", "\ud800", "../../etc/passwd", "${a}", "{\"id\":1}",
    ];

    /// <summary>Every function of the API given one hostile id (and hostile companions: versions, flows, data).</summary>
    internal static IEnumerable<(string Name, Func<Task<EngineApiResult>> Call)> Calls(Bamboo.Engine.BambooEngine e, string? id)
    {
        var s = id!;
        yield return ("pause_pipeline", () => EngineApi.PausePipelineAsync(e, s));
        yield return ("revoke_pipeline", () => EngineApi.RevokePipelineAsync(e, s));
        yield return ("resume_pipeline", () => EngineApi.ResumePipelineAsync(e, s));
        yield return ("pause_node_appoint", () => EngineApi.PauseNodeAppointAsync(e, s));
        yield return ("resume_node_appoint", () => EngineApi.ResumeNodeAppointAsync(e, s));
        yield return ("retry_node", () => EngineApi.RetryNodeAsync(e, s, new JsonObject { ["x"] = id }));
        yield return ("retry_subprocess", () => EngineApi.RetrySubprocessAsync(e, s));
        yield return ("skip_node", () => EngineApi.SkipNodeAsync(e, s));
        yield return ("skip_exclusive_gateway", () => EngineApi.SkipExclusiveGatewayAsync(e, s, s));
        yield return ("skip_conditional_parallel_gateway", () => EngineApi.SkipConditionalParallelGatewayAsync(e, s, id is null ? null! : [s, s], s));
        yield return ("forced_fail_activity", () => EngineApi.ForcedFailActivityAsync(e, s, s));
        yield return ("callback", () => EngineApi.CallbackAsync(e, s, s, new JsonObject { ["x"] = id }));
        yield return ("get_pipeline_states", () => EngineApi.GetPipelineStatesAsync(e, s));
        yield return ("get_children_states", () => EngineApi.GetChildrenStatesAsync(e, s));
        yield return ("get_execution_data_inputs", () => EngineApi.GetExecutionDataInputsAsync(e, s));
        yield return ("get_execution_data_outputs", () => EngineApi.GetExecutionDataOutputsAsync(e, s));
        yield return ("get_execution_data", () => EngineApi.GetExecutionDataAsync(e, s));
        yield return ("get_data", () => EngineApi.GetDataAsync(e, s));
        yield return ("get_node_histories", () => EngineApi.GetNodeHistoriesAsync(e, s, -7));
        yield return ("get_node_short_histories", () => EngineApi.GetNodeShortHistoriesAsync(e, s, int.MaxValue));
    }

    [Theory]
    [MemberData(nameof(HostileIds))]
    public async Task EveryFunction_HostileId_RefusedWithAMessage_NothingChanged(string hostile)
    {
        var id = hostile == Null ? null : hostile;
        var (pipeline, act) = await WaitingAsync();
        var before = await SnapshotAsync();

        foreach (var (name, call) in Calls(_h.Engine, id))
        {
            var result = await call();
            if (result.Result)
            {
                // The spec's answer for an id nothing has: an empty result from the queries that give one (api.md §14-17, §20-21).
                Assert.True(id is not null && EmptyAnswers.Contains(name), $"{name}({Show(id)}) succeeded");
                Assert.True(result.Data is JsonObject { Count: 0 } or JsonArray { Count: 0 }, $"{name}({Show(id)}) answered {result.Data?.ToJsonString()}");
                continue;
            }

            Assert.False(string.IsNullOrWhiteSpace(result.Message), $"{name}({Show(id)}) gave no message");
            Assert.NotNull(result.Exception);
            // A null says which argument it was, never a NullReferenceException from deep inside.
            Assert.True(id is not null || result.Exception is ArgumentNullException, $"{name}(null): {result.Exception}");
        }

        Assert.Equal(before, await SnapshotAsync());

        // The run beside the hostile calls goes on as if nothing happened.
        var version = (await _h.StateAsync(act))!.Version;
        Assert.True((await EngineApi.CallbackAsync(_h.Engine, act, version, new JsonObject { ["bit"] = 1 })).Result);
        await _h.WaitStateAsync(pipeline.Id, NodeState.Finished);
    }

    [Fact]
    public async Task EveryFunction_IdOfTheWrongKind_RefusedWithTheNodeNamed()
    {
        var (pipeline, act) = await WaitingAsync();
        var before = await SnapshotAsync();
        var e = _h.Engine;
        var start = pipeline.StartEvent.Id;

        // A pipeline id where a node id is wanted, a start event where an activity or gateway is wanted, and back.
        // (pause_pipeline and revoke_pipeline take any node with a state that may move so, as bamboo's do: api.md §2-3.)
        foreach (var (name, call) in new (string, Func<Task<EngineApiResult>>)[]
        {
            ("resume_pipeline(node)", () => EngineApi.ResumePipelineAsync(e, start)),
            ("revoke_pipeline(finished start)", () => EngineApi.RevokePipelineAsync(e, start)),
            ("retry_subprocess(activity)", () => EngineApi.RetrySubprocessAsync(e, act)),
            ("skip_node(start)", () => EngineApi.SkipNodeAsync(e, start)),
            ("skip_exclusive_gateway(activity)", () => EngineApi.SkipExclusiveGatewayAsync(e, act, "f_missing")),
            ("skip_conditional_parallel_gateway(pipeline)", () => EngineApi.SkipConditionalParallelGatewayAsync(e, pipeline.Id, ["f_missing"], act)),
            ("forced_fail_activity(pipeline)", () => EngineApi.ForcedFailActivityAsync(e, pipeline.Id, "x")),
            ("callback(start)", () => EngineApi.CallbackAsync(e, start, "v", null)),
            ("retry_node(pipeline)", () => EngineApi.RetryNodeAsync(e, pipeline.Id)),
        })
        {
            var result = await call();
            Assert.False(result.Result, $"{name} succeeded");
            Assert.Matches($"{pipeline.Id}|{act}|{start}", result.Message);
        }

        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task EveryFunction_NullCompanionArgument_RefusedNamingIt()
    {
        var (pipeline, act) = await WaitingAsync();
        var before = await SnapshotAsync();
        var e = _h.Engine;

        foreach (var (argument, call) in new (string, Func<Task<EngineApiResult>>)[]
        {
            ("flowId", () => EngineApi.SkipExclusiveGatewayAsync(e, act, null!)),
            ("flowIds", () => EngineApi.SkipConditionalParallelGatewayAsync(e, act, null!, "g")),
            ("convergeGatewayId", () => EngineApi.SkipConditionalParallelGatewayAsync(e, act, ["f"], null!)),
            ("exData", () => EngineApi.ForcedFailActivityAsync(e, act, null!)),
            ("version", () => EngineApi.CallbackAsync(e, act, null!, null)),
        })
        {
            var result = await call();
            Assert.False(result.Result, $"null {argument} accepted");
            Assert.Equal(argument, Assert.IsType<ArgumentNullException>(result.Exception).ParamName);
        }

        Assert.Equal(before, await SnapshotAsync());
    }

    /// <summary>Runs start → callback_node → end until the activity waits for its callback.</summary>
    private async Task<(Bamboo.Engine.Model.Pipeline Pipeline, string Act)> WaitingAsync()
    {
        var (pipeline, act) = EngineHarness.OneActivity("callback_node");
        await _h.StartAsync(pipeline);
        await WaitUntil.TrueAsync(() => _h.Store.ReadAsync(async tx => (await tx.Processes.GetAtAsync(act, asleep: true, dead: false)).Count == 1),
            TimeSpan.FromSeconds(20), "the callback node to wait");
        return (pipeline, act);
    }

    private static string Show(string? id) => id is null ? "null" : id.Length > 40 ? $"{id.Length:N0} chars" : $"\"{id}\"";

    /// <summary>Every row of every table but the workers' beats, as text.</summary>
    private Task<string> SnapshotAsync() => Task.Run(() => TempDatabase.Dump(_h.DatabasePath, except: ["workers", "store_clock"]));
}
