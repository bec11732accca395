using System.Text.Json.Nodes;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;

namespace Bamboo.Cli.Conformance;

internal sealed partial class ScenarioSession
{
    private Task<string?> CheckAsync(JsonObject conditions, CancellationToken ct) =>
        engine.Store.ReadAsync(async tx =>
        {
            foreach (var (kind, value) in conditions)
            {
                var failure = await CheckAsync(tx, kind, value!);
                if (failure is not null)
                {
                    return failure;
                }
            }

            return (string?)null;
        }, ct);

    private async ValueTask<string?> CheckAsync(IStoreTransaction tx, string kind, JsonNode value)
    {
        switch (kind)
        {
            case "states":
                return await PerNodeAsync(value, async (node, expected) =>
                {
                    var actual = (await tx.States.GetAsync(node))?.Name ?? "(no state)";
                    return actual == expected.GetValue<string>() ? null : $"state of {node} is {actual}, expected {expected}";
                });
            case "state_fields":
                return await PerNodeAsync(value, async (node, fields) => await tx.States.GetAsync(node) is { } s
                    ? FieldsFailure($"{node}", new JsonObject { ["loop"] = s.Loop, ["inner_loop"] = s.InnerLoop, ["retry"] = s.Retry, ["skip"] = s.Skip, ["error_ignored"] = s.ErrorIgnored }, fields.AsObject())
                    : $"{node} has no state");
            case "not_executed":
                foreach (var n in value.AsArray())
                {
                    if (await tx.States.GetAsync(n!.GetValue<string>()) is { } s)
                    {
                        return $"{n} should not have run but is {s.Name}";
                    }
                }

                return null;
            case "execution_data":
                return await PerNodeAsync(value, async (node, expected) =>
                {
                    var d = await tx.Data.GetExecutionDataAsync(node);
                    return new[] { ("inputs", (JsonNode?)d?.Inputs), ("outputs", d?.Outputs) }
                        .Where(p => expected[p.Item1] is not null && !JsonCompare.Equal(p.Item2, expected[p.Item1]))
                        .Select(p => $"{node} execution {p.Item1} {JsonCompare.Show(p.Item2)} != expected {JsonCompare.Show(expected[p.Item1])}")
                        .FirstOrDefault();
                });
            case "outputs_include":
                return await PerNodeAsync(value, async (node, expected) => IncludeFailure(node, (await tx.Data.GetExecutionDataAsync(node))?.Outputs ?? [], expected.AsObject()));
            case "outputs_keys":
                return await PerNodeAsync(value, async (node, expected) => KeysFailure(node, (await tx.Data.GetExecutionDataAsync(node))?.Outputs ?? [], expected.AsArray()));
            case "histories":
                return await PerNodeAsync(value, async (node, expected) => HistoriesFailure(node, await tx.Schedules.GetHistoriesAsync(node), expected.AsArray()));
            case "schedule":
                return await PerNodeAsync(value, async (node, expected) => await tx.Schedules.GetLatestAsync(node) is { } s
                    ? FieldsFailure($"schedule of {node}", new JsonObject { ["times"] = s.Times, ["finished"] = s.Finished, ["scheduling"] = s.Scheduling, ["expired"] = s.Expired }, expected.AsObject())
                    : $"{node} has no schedule");
            case "context":
                return ContextFailure(await tx.Data.GetContextValuesAsync(RootId), RootId, value.AsObject(), null);
            case "context_size":
                return ContextFailure(await tx.Data.GetContextValuesAsync(RootId), RootId, null, value.GetValue<int>());
            case "contexts":
                return await PerNodeAsync(value, async (pipeline, spec) =>
                    ContextFailure(await tx.Data.GetContextValuesAsync(pipeline), pipeline, spec["values"] as JsonObject, spec["size"]?.GetValue<int>()));
            case "context_outputs":
                {
                    var tree = Pipeline.Parse((await tx.Runs.GetAsync(RootId))!.TreeJson);
                    return await PerNodeAsync(value, (pipeline, expected) =>
                    {
                        var p = FindPipeline(tree, pipeline);
                        var actual = new JsonArray(p?.Data.Outputs.Select(k => (JsonNode)k).ToArray() ?? []);
                        return ValueTask.FromResult(JsonCompare.Equal(actual, expected) ? null : $"context outputs of {pipeline} are {actual.ToJsonString()}, expected {JsonCompare.Show(expected)}");
                    });
                }

            case "version":
                return await PerNodeAsync(value, async (node, spec) =>
                {
                    var current = (await tx.States.GetAsync(node))?.Version;
                    if (spec["equals"] is JsonNode eq && current != _versions.GetValueOrDefault(eq.GetValue<string>()))
                    {
                        return $"version of {node} is {current}, expected the saved {eq}";
                    }

                    return spec["differs_from"] is JsonNode df && current == _versions.GetValueOrDefault(df.GetValue<string>())
                        ? $"version of {node} is still the saved {df}"
                        : null;
                });
            default:
                return $"unknown condition {kind}";
        }
    }

    /// <summary>Applies a check to every (node, expected) pair of a condition; returns the first failure.</summary>
    private static async ValueTask<string?> PerNodeAsync(JsonNode value, Func<string, JsonNode, ValueTask<string?>> check)
    {
        foreach (var (key, expected) in value.AsObject())
        {
            if (await check(key, expected!) is { } failure)
            {
                return failure;
            }
        }

        return null;
    }

    private static string? FieldsFailure(string what, JsonObject actual, JsonObject expected) =>
        expected.Where(kv => !JsonCompare.Equal(actual[kv.Key], kv.Value))
            .Select(kv => $"{what}: {kv.Key} is {JsonCompare.Show(actual[kv.Key])}, expected {JsonCompare.Show(kv.Value)}")
            .FirstOrDefault();

    private static Pipeline? FindPipeline(Pipeline p, string id)
    {
        if (p.Id == id)
        {
            return p;
        }

        return p.Activities.Values.OfType<SubProcessNode>().Select(s => FindPipeline(s.Pipeline, id)).FirstOrDefault(x => x is not null);
    }

    private static string? IncludeFailure(string node, JsonObject outputs, JsonObject expected)
    {
        foreach (var (k, v) in expected)
        {
            if (!outputs.TryGetPropertyValue(k, out var actual) || !JsonCompare.Equal(actual, v))
            {
                return $"{node} output {k} is {JsonCompare.Show(actual)}, expected {JsonCompare.Show(v)} (outputs {outputs.ToJsonString()})";
            }
        }

        return null;
    }

    private static string? KeysFailure(string node, JsonObject outputs, JsonArray expected)
    {
        var keys = outputs.Where(kv => kv.Value is not null).Select(kv => kv.Key).Order(StringComparer.Ordinal).ToList();
        var want = expected.Select(x => x!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        return keys.SequenceEqual(want) ? null : $"{node} output keys are [{string.Join(", ", keys)}], expected [{string.Join(", ", want)}]";
    }

    private string? HistoriesFailure(string node, IReadOnlyList<HistoryRecord> rows, JsonArray expected)
    {
        if (rows.Count != expected.Count)
        {
            return $"{node} has {rows.Count} histories, expected {expected.Count}";
        }

        for (var i = 0; i < rows.Count; i++)
        {
            var h = rows[i];
            var actual = new JsonObject { ["loop"] = h.Loop, ["retry"] = h.Retry, ["skip"] = h.Skip, ["inputs"] = h.Inputs.DeepClone(), ["outputs"] = h.Outputs.DeepClone() };
            foreach (var (f, v) in expected[i]!.AsObject())
            {
                string? failure = f switch
                {
                    "outputs_include" => IncludeFailure($"{node} history {i}", h.Outputs, v!.AsObject()),
                    "outputs_keys" => KeysFailure($"{node} history {i}", h.Outputs, v!.AsArray()),
                    "version" => h.Version == _versions.GetValueOrDefault(v!.GetValue<string>()) ? null : $"{node} history {i} version {h.Version} differs from saved {v}",
                    "has_times" => (h.StartedTime is not null && h.ArchivedTime is not null) == v!.GetValue<bool>() ? null : $"{node} history {i} times set: {h.StartedTime is not null && h.ArchivedTime is not null}",
                    _ => JsonCompare.Equal(actual[f], v) ? null : $"{node} history {i} {f} is {JsonCompare.Show(actual[f])}, expected {JsonCompare.Show(v)}",
                };
                if (failure is not null)
                {
                    return failure;
                }
            }
        }

        return null;
    }

    private static string? ContextFailure(IReadOnlyList<ContextValue> context, string pipelineId, JsonObject? values, int? size)
    {
        if (size is int n && context.Count != n)
        {
            return $"context of {pipelineId} has {context.Count} keys [{string.Join(", ", context.Select(c => c.Key))}], expected {n}";
        }

        foreach (var (key, spec) in values ?? [])
        {
            var v = context.FirstOrDefault(c => c.Key == key);
            if (v is null)
            {
                return $"context of {pipelineId} has no {key}";
            }

            var type = v.Type.ToString().ToUpperInvariant();
            if (spec!["type"] is JsonNode t && t.GetValue<string>() != type)
            {
                return $"context {key} type is {type}, expected {t}";
            }

            if (spec.AsObject().TryGetPropertyValue("value", out var expected) && !JsonCompare.Equal(v.Value, expected))
            {
                return $"context {key} value is {JsonCompare.Show(v.Value)}, expected {JsonCompare.Show(expected)}";
            }

            if (spec["code"] is JsonNode code && code.GetValue<string>() != v.Code)
            {
                return $"context {key} code is {v.Code}, expected {code}";
            }
        }

        return null;
    }
}
