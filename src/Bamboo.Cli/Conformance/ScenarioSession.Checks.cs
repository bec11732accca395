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

    private string? Check(IStepTransaction tx, string kind, JsonNode value)
    {
        switch (kind)
        {
            case "states":
                foreach (var (node, expected) in value.AsObject())
                {
                    var actual = tx.GetState(node)?.Name ?? "(no state)";
                    if (actual != expected!.GetValue<string>())
                    {
                        return $"state of {node} is {actual}, expected {expected}";
                    }
                }

                return null;
            case "state_fields":
                foreach (var (node, fields) in value.AsObject())
                {
                    var s = tx.GetState(node);
                    if (s is null)
                    {
                        return $"{node} has no state";
                    }

                    var actual = new JsonObject { ["loop"] = s.Loop, ["inner_loop"] = s.InnerLoop, ["retry"] = s.Retry, ["skip"] = s.Skip, ["error_ignored"] = s.ErrorIgnored };
                    foreach (var (f, v) in fields!.AsObject())
                    {
                        if (!JsonCompare.Equal(actual[f], v))
                        {
                            return $"{node}.{f} is {JsonCompare.Show(actual[f])}, expected {JsonCompare.Show(v)}";
                        }
                    }
                }

                return null;
            case "not_executed":
                foreach (var node in value.AsArray())
                {
                    if (tx.GetState(node!.GetValue<string>()) is { } s)
                    {
                        return $"{node} should not have run but is {s.Name}";
                    }
                }

                return null;
            case "execution_data":
                foreach (var (node, expected) in value.AsObject())
                {
                    var d = tx.GetExecutionData(node);
                    foreach (var part in new[] { "inputs", "outputs" })
                    {
                        if (expected![part] is JsonNode e)
                        {
                            JsonNode? actual = d is null ? null : part == "inputs" ? d.Inputs : d.Outputs;
                            if (!JsonCompare.Equal(actual, e))
                            {
                                return $"{node} execution {part} {JsonCompare.Show(actual)} != expected {JsonCompare.Show(e)}";
                            }
                        }
                    }
                }

                return null;
            case "outputs_include":
                foreach (var (node, expected) in value.AsObject())
                {
                    var outputs = tx.GetExecutionData(node)?.Outputs ?? [];
                    var f = IncludeFailure(node, outputs, expected!.AsObject());
                    if (f is not null)
                    {
                        return f;
                    }
                }

                return null;
            case "outputs_keys":
                foreach (var (node, expected) in value.AsObject())
                {
                    var outputs = tx.GetExecutionData(node)?.Outputs ?? [];
                    var f = KeysFailure(node, outputs, expected!.AsArray());
                    if (f is not null)
                    {
                        return f;
                    }
                }

                return null;
            case "histories":
                foreach (var (node, expected) in value.AsObject())
                {
                    var f = HistoriesFailure(tx, node, expected!.AsArray());
                    if (f is not null)
                    {
                        return f;
                    }
                }

                return null;
            case "schedule":
                foreach (var (node, expected) in value.AsObject())
                {
                    var s = tx.GetLatestSchedule(node);
                    if (s is null)
                    {
                        return $"{node} has no schedule";
                    }

                    var actual = new JsonObject { ["times"] = s.Times, ["finished"] = s.Finished, ["scheduling"] = s.Scheduling, ["expired"] = s.Expired };
                    foreach (var (f, v) in expected!.AsObject())
                    {
                        if (!JsonCompare.Equal(actual[f], v))
                        {
                            return $"schedule of {node}: {f} is {JsonCompare.Show(actual[f])}, expected {JsonCompare.Show(v)}";
                        }
                    }
                }

                return null;
            case "context":
                return ContextFailure(tx, RootId, value.AsObject(), null);
            case "context_size":
                return ContextFailure(tx, RootId, null, value.GetValue<int>());
            case "contexts":
                foreach (var (pipeline, spec) in value.AsObject())
                {
                    var f = ContextFailure(tx, pipeline, spec!["values"] as JsonObject, spec["size"]?.GetValue<int>());
                    if (f is not null)
                    {
                        return f;
                    }
                }

                return null;
            case "context_outputs":
                foreach (var (pipeline, expected) in value.AsObject())
                {
                    var run = tx.GetRun(RootId)!;
                    var tree = Pipeline.Parse(run.TreeJson);
                    var p = FindPipeline(tree, pipeline);
                    var actual = new JsonArray(p?.Data.Outputs.Select(k => (JsonNode)k).ToArray() ?? []);
                    if (!JsonCompare.Equal(actual, expected))
                    {
                        return $"context outputs of {pipeline} are {actual.ToJsonString()}, expected {JsonCompare.Show(expected)}";
                    }
                }

                return null;
            case "version":
                foreach (var (node, spec) in value.AsObject())
                {
                    var current = tx.GetState(node)?.Version;
                    if (spec!["equals"] is JsonNode eq && current != _versions.GetValueOrDefault(eq.GetValue<string>()))
                    {
                        return $"version of {node} is {current}, expected the saved {eq}";
                    }

                    if (spec["differs_from"] is JsonNode df && current == _versions.GetValueOrDefault(df.GetValue<string>()))
                    {
                        return $"version of {node} is still the saved {df}";
                    }
                }

                return null;
            default:
                return $"unknown condition {kind}";
        }
    }

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
