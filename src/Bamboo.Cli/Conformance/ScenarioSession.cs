using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Model;

namespace Bamboo.Cli.Conformance;

/// <summary>Executes the steps of one scenario; returns null when every step holds, else what failed and what was seen.</summary>
internal sealed partial class ScenarioSession(Engine.BambooEngine engine, JsonObject scenario)
{
    private readonly Dictionary<string, string> _aliases = (scenario["nodes"] as JsonObject ?? [])
        .ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<string>());

    private readonly Dictionary<string, string> _versions = [];

    private string RootId => _aliases["pipeline"];

    private string Resolve(string s) => s.StartsWith('@') ? (_aliases.TryGetValue(s[1..], out var id) ? id : throw new InvalidOperationException($"unknown alias {s}")) : s;

    private JsonNode? ResolveNode(JsonNode? n) => n switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => JsonValue.Create(Resolve(s)),
        JsonArray a => new JsonArray(a.Select(ResolveNode).ToArray()),
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(Resolve(kv.Key), ResolveNode(kv.Value)))),
        _ => n?.DeepClone(),
    };

    public async Task<string?> RunAsync(CancellationToken ct)
    {
        var steps = scenario["steps"]!.AsArray();
        for (var i = 0; i < steps.Count; i++)
        {
            var step = steps[i]!.AsObject();
            string? failure;
            if (step["call"] is not null)
            {
                failure = await CallAsync(step, ct);
            }
            else if (step["wait"] is JsonObject wait)
            {
                var timeout = TimeSpan.FromSeconds(step["timeout_s"]?.GetValue<double>() ?? 10);
                var deadline = DateTime.UtcNow + timeout;
                while (true)
                {
                    failure = await CheckAsync((JsonObject)ResolveNode(wait)!, ct);
                    if (failure is null || DateTime.UtcNow > deadline)
                    {
                        break;
                    }

                    await Task.Delay(50, ct);
                }
            }
            else if (step["expect"] is JsonObject expect)
            {
                failure = await CheckAsync((JsonObject)ResolveNode(expect)!, ct);
            }
            else if (step["sleep_s"] is JsonNode sleep)
            {
                await Task.Delay(TimeSpan.FromSeconds(sleep.GetValue<double>()), ct);
                failure = null;
            }
            else if (step["save_version"] is JsonObject save)
            {
                failure = null;
                foreach (var (node, label) in (JsonObject)ResolveNode(save)!)
                {
                    var state = await engine.Store.ReadAsync(tx => tx.States.GetAsync(node), ct);
                    _versions[label!.GetValue<string>()] = state?.Version ?? "";
                }
            }
            else
            {
                failure = "unknown step kind";
            }

            if (failure is not null)
            {
                return $"step {i} ({step.ToJsonString()[..Math.Min(120, step.ToJsonString().Length)]}): {failure}";
            }
        }

        return null;
    }

    private async Task<string?> CallAsync(JsonObject step, CancellationToken ct)
    {
        var name = step["call"]!.GetValue<string>();
        var args = (JsonObject)(ResolveNode(step["args"]) ?? new JsonObject());
        var expected = step["result"]?.GetValue<bool>() ?? true;
        var retryUntil = DateTime.UtcNow + TimeSpan.FromSeconds(step["retry_s"]?.GetValue<double>() ?? 0);
        while (true)
        {
            var result = await InvokeAsync(name, args, ct);
            if (result.Result == expected)
            {
                if (step["data"] is JsonNode data && !JsonCompare.Equal(ResolveNode(data), result.Data))
                {
                    return $"data {JsonCompare.Show(result.Data)} != expected {JsonCompare.Show(data)}";
                }

                return null;
            }

            if (DateTime.UtcNow >= retryUntil)
            {
                return $"{name} returned result={result.Result} (expected {expected}): {result.Message}";
            }

            await Task.Delay(200, ct);
        }
    }

    private async Task<EngineApiResult> InvokeAsync(string name, JsonObject a, CancellationToken ct)
    {
        string S(string key) => a[key]!.GetValue<string>();
        switch (name)
        {
            case "run_pipeline":
                {
                    var tree = a["pipeline"] ?? scenario["pipeline"];
                    var pipeline = Pipeline.Parse(tree!.ToJsonString());
                    var options = new RunPipelineOptions
                    {
                        RootPipelineData = a["root_pipeline_data"] as JsonObject ?? [],
                        RootPipelineContext = a["root_pipeline_context"] as JsonObject ?? [],
                        SubprocessContext = a["subprocess_context"] as JsonObject ?? [],
                        CycleTolerate = a["cycle_tolerate"]?.GetValue<bool>() ?? false,
                        StartNodeId = a["start_node_id"]?.GetValue<string>(),
                    };
                    return await EngineApi.RunPipelineAsync(engine, pipeline, options, ct);
                }

            case "pause_pipeline": return await EngineApi.PausePipelineAsync(engine, S("pipeline_id"), ct);
            case "resume_pipeline": return await EngineApi.ResumePipelineAsync(engine, S("pipeline_id"), ct);
            case "revoke_pipeline": return await EngineApi.RevokePipelineAsync(engine, S("pipeline_id"), ct);
            case "pause_node_appoint": return await EngineApi.PauseNodeAppointAsync(engine, S("node_id"), ct);
            case "resume_node_appoint": return await EngineApi.ResumeNodeAppointAsync(engine, S("node_id"), ct);
            case "retry_node": return await EngineApi.RetryNodeAsync(engine, S("node_id"), a["data"] as JsonObject, ct);
            case "retry_subprocess": return await EngineApi.RetrySubprocessAsync(engine, S("node_id"), ct);
            case "skip_node": return await EngineApi.SkipNodeAsync(engine, S("node_id"), ct);
            case "skip_exclusive_gateway": return await EngineApi.SkipExclusiveGatewayAsync(engine, S("node_id"), S("flow_id"), ct);
            case "skip_conditional_parallel_gateway":
                return await EngineApi.SkipConditionalParallelGatewayAsync(engine, S("node_id"),
                    a["flow_ids"]!.AsArray().Select(x => x!.GetValue<string>()).ToList(), S("converge_gateway_id"), ct);
            case "forced_fail_activity": return await EngineApi.ForcedFailActivityAsync(engine, S("node_id"), a["ex_data"]?.GetValue<string>() ?? "", ct);
            case "callback":
                {
                    var node = S("node_id");
                    var version = a["version"]?.GetValue<string>() ?? (await engine.Store.ReadAsync(tx => tx.States.GetAsync(node), ct))?.Version ?? "";
                    if (_versions.TryGetValue(version, out var saved))
                    {
                        version = saved;
                    }

                    return await EngineApi.CallbackAsync(engine, node, version, a["data"] as JsonObject, ct);
                }

            case "get_pipeline_states": return await EngineApi.GetPipelineStatesAsync(engine, S("root_id"), a["flat_children"]?.GetValue<bool>() ?? true, ct);
            case "get_children_states": return await EngineApi.GetChildrenStatesAsync(engine, S("node_id"), ct);
            case "get_execution_data_inputs": return await EngineApi.GetExecutionDataInputsAsync(engine, S("node_id"), ct);
            case "get_execution_data_outputs": return await EngineApi.GetExecutionDataOutputsAsync(engine, S("node_id"), ct);
            case "get_execution_data": return await EngineApi.GetExecutionDataAsync(engine, S("node_id"), ct);
            case "get_data": return await EngineApi.GetDataAsync(engine, S("node_id"), ct);
            case "get_node_histories": return await EngineApi.GetNodeHistoriesAsync(engine, S("node_id"), a["loop"]?.GetValue<int>() ?? -1, ct);
            case "get_node_short_histories": return await EngineApi.GetNodeShortHistoriesAsync(engine, S("node_id"), a["loop"]?.GetValue<int>() ?? -1, ct);
            default:
                return EngineApiResult.Fail(new InvalidOperationException($"unknown API function {name}"));
        }
    }
}
