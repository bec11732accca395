using System.Text.Json.Nodes;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;

namespace Bamboo.Cli.Conformance;

internal sealed partial class ScenarioSession
{
    private Task<string?> CheckAsync(JsonObject conditions, CancellationToken ct) =>
        runtime.ReadAsync(tx =>
        {
            foreach (var (kind, value) in conditions)
            {
                var failure = Check(tx, kind, value!);
                if (failure is not null)
                {
                    return failure;
                }
            }

            return (string?)null;
        }, ct);

    private string? Check(IStepTransaction tx, string kind, JsonNode value) => kind switch
    {
        "states" => PerNode(value, (node, expected) =>
        {
            var actual = tx.GetState(node)?.Name ?? "(no state)";
            return actual == expected.GetValue<string>() ? null : $"state of {node} is {actual}, expected {expected}";
        }),
        "state_fields" => PerNode(value, (node, fields) => tx.GetState(node) is { } s
            ? FieldsFailure($"{node}", new JsonObject { ["loop"] = s.Loop, ["inner_loop"] = s.InnerLoop, ["retry"] = s.Retry, ["skip"] = s.Skip, ["error_ignored"] = s.ErrorIgnored }, fields.AsObject())
            : $"{node} has no state"),
        "not_executed" => value.AsArray().Select(n => tx.GetState(n!.GetValue<string>()) is { } s ? $"{n} should not have run but is {s.Name}" : null).FirstOrDefault(f => f is not null),
        "execution_data" => PerNode(value, (node, expected) =>
        {
            var d = tx.GetExecutionData(node);
            return new[] { ("inputs", (JsonNode?)d?.Inputs), ("outputs", d?.Outputs) }
                .Where(p => expected[p.Item1] is not null && !JsonCompare.Equal(p.Item2, expected[p.Item1]))
                .Select(p => $"{node} execution {p.Item1} {JsonCompare.Show(p.Item2)} != expected {JsonCompare.Show(expected[p.Item1])}")
                .FirstOrDefault();
        }),
        "outputs_include" => PerNode(value, (node, expected) => IncludeFailure(node, tx.GetExecutionData(node)?.Outputs ?? [], expected.AsObject())),
        "outputs_keys" => PerNode(value, (node, expected) => KeysFailure(node, tx.GetExecutionData(node)?.Outputs ?? [], expected.AsArray())),
        "histories" => PerNode(value, (node, expected) => HistoriesFailure(tx, node, expected.AsArray())),
        "schedule" => PerNode(value, (node, expected) => tx.GetLatestSchedule(node) is { } s
            ? FieldsFailure($"schedule of {node}", new JsonObject { ["times"] = s.Times, ["finished"] = s.Finished, ["scheduling"] = s.Scheduling, ["expired"] = s.Expired }, expected.AsObject())
            : $"{node} has no schedule"),
        "context" => ContextFailure(tx, RootId, value.AsObject(), null),
        "context_size" => ContextFailure(tx, RootId, null, value.GetValue<int>()),
        "contexts" => PerNode(value, (pipeline, spec) => ContextFailure(tx, pipeline, spec["values"] as JsonObject, spec["size"]?.GetValue<int>())),
        "context_outputs" => PerNode(value, (pipeline, expected) =>
        {
            var p = FindPipeline(Pipeline.Parse(tx.GetRun(RootId)!.TreeJson), pipeline);
            var actual = new JsonArray(p?.Data.Outputs.Select(k => (JsonNode)k).ToArray() ?? []);
            return JsonCompare.Equal(actual, expected) ? null : $"context outputs of {pipeline} are {actual.ToJsonString()}, expected {JsonCompare.Show(expected)}";
        }),
        "version" => PerNode(value, (node, spec) =>
        {
            var current = tx.GetState(node)?.Version;
            if (spec["equals"] is JsonNode eq && current != _versions.GetValueOrDefault(eq.GetValue<string>()))
            {
                return $"version of {node} is {current}, expected the saved {eq}";
            }

            return spec["differs_from"] is JsonNode df && current == _versions.GetValueOrDefault(df.GetValue<string>())
                ? $"version of {node} is still the saved {df}"
                : null;
        }),
        _ => $"unknown condition {kind}",
    };

    /// <summary>Applies a check to every (node, expected) pair of a condition; returns the first failure.</summary>
    private static string? PerNode(JsonNode value, Func<string, JsonNode, string?> check) =>
        value.AsObject().Select(kv => check(kv.Key, kv.Value!)).FirstOrDefault(f => f is not null);

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

    private string? HistoriesFailure(IStepTransaction tx, string node, JsonArray expected)
    {
        var rows = tx.GetHistories(node);
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

    private static string? ContextFailure(IStepTransaction tx, string pipelineId, JsonObject? values, int? size)
    {
        var context = tx.GetContextValues(pipelineId);
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
