using System.Text.Json;
using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Expressions;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

public sealed partial class PipelineEngine
{
    private ValueTask<HandlerResult> HandleAsync(NodeStep step) => step.Info.Node switch
    {
        StartEventNode => StartEventAsync(step),
        EndEventNode end => EndEventAsync(step, end),
        ServiceActivityNode => PrepareActivityAsync(step),
        SubProcessNode sub => SubProcessAsync(step, sub),
        GatewayNode { Kind: NodeKind.ConvergeGateway } => ValueTask.FromResult(Converge(step)),
        GatewayNode { Kind: NodeKind.ParallelGateway } g => ForkAsync(step, g, step.Info.Targets.Select(t => t.Target).ToList()),
        GatewayNode g => ConditionalGatewayAsync(step, g),
        _ => throw new InvalidOperationException($"unknown node kind {step.Info.Node.Kind}"),
    };

    private static async ValueTask<HandlerResult> StartEventAsync(NodeStep step)
    {
        var keys = step.Compiled.Pipelines[step.Info.ParentPipelineId].Pipeline.Data.PreRenderKeys;
        if (keys.Count > 0)
        {
            try
            {
                var values = await ContextHydrator.LoadAsync(step.Tx, step.TopPipelineId, keys).ConfigureAwait(false);
                var hydrated = ContextHydrator.Hydrate(values, step.Lazy);
                foreach (var key in keys)
                {
                    if (hydrated.TryGetValue(ContextHydrator.Strip(key), out var v))
                    {
                        await step.Tx.Data.UpsertContextValueAsync(step.TopPipelineId, new ContextValue(key, ContextValueType.Plain, v?.DeepClone(), "", [])).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is BambooException or InvalidOperationException or FormatException or KeyNotFoundException)
            {
                await step.FailAsync($"context hydrate failed({ex.Message}), check node log for details.").ConfigureAwait(false);
                return HandlerResult.SleepResult;
            }
        }

        step.Finish();
        return new HandlerResult.Next(step.Info.Single);
    }

    private static HandlerResult Converge(NodeStep step)
    {
        step.Finish();
        return new HandlerResult.Next(step.Info.Single);
    }

    private async ValueTask<HandlerResult> EndEventAsync(NodeStep step, EndEventNode end)
    {
        var tx = step.Tx;
        var stack = step.Process.PipelineStack.ToList();
        var pipelineId = stack[^1];
        if (end.Kind == NodeKind.ExecutableEndEvent)
        {
            try
            {
                // Runs outside the transaction: the first walk stops here, the next one has its outcome.
                step.UserCode.EndEvent(end.Id, end.Type, stack.Count > 1, step.Process.RootPipelineId, pipelineId);
            }
#pragma warning disable CA1031 // Plugin code may throw anything; it fails the end event, never the worker.
            catch (Exception ex) when (ex is not UserCodeNeededException)
#pragma warning restore CA1031
            {
                await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(end.Id, [], new JsonObject { ["ex_data"] = ex.ToString() })).ConfigureAwait(false);
                await step.FailAsync(null).ConfigureAwait(false);
                return HandlerResult.SleepResult;
            }
        }

        stack.RemoveAt(stack.Count - 1);
        var isRoot = stack.Count == 0;
        JsonObject outputs;
        try
        {
            outputs = await PipelineOutputsAsync(step, pipelineId, isRoot).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BambooException or InvalidOperationException or FormatException)
        {
            await step.FailAsync($"pipeline outputs render failed({ex.Message})").ConfigureAwait(false);
            return HandlerResult.SleepResult;
        }

        var existing = await tx.Data.GetExecutionDataAsync(pipelineId).ConfigureAwait(false);
        await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(pipelineId, existing?.Inputs ?? [], outputs)).ConfigureAwait(false);
        step.Finish();
        var pipelineState = (await tx.States.GetAsync(pipelineId).ConfigureAwait(false))!;
        await StateWriter.SetAsync(tx, pipelineId, new StateWriter.Change(NodeState.Finished) { ExpectedVersion = pipelineState.Version, SetArchiveTime = true }, pipelineState).ConfigureAwait(false);
        if (isRoot)
        {
            return new HandlerResult.Die();
        }

        var subInfo = step.Compiled.Node(pipelineId);
        await ExtractOutputsAsync(tx, subInfo, outputs, stack[^1]).ConfigureAwait(false);
        step.Process = step.Process with { PipelineStack = stack };
        return new HandlerResult.Next(subInfo.Single);
    }

    private async ValueTask<JsonObject> PipelineOutputsAsync(NodeStep step, string pipelineId, bool isRoot)
    {
        var exported = step.Compiled.Pipelines[pipelineId].ExportedKeys;
        var values = await ContextHydrator.LoadAsync(step.Tx, pipelineId, exported).ConfigureAwait(false);
        var hydrated = ContextHydrator.Hydrate(values, step.Lazy);
        var outputs = new JsonObject();
        foreach (var key in exported)
        {
            outputs[key] = hydrated.TryGetValue(ContextHydrator.Strip(key), out var v) ? v?.DeepClone() : JsonValue.Create(key);
        }

        if (!isRoot)
        {
            var s = (await step.Tx.States.GetAsync(pipelineId).ConfigureAwait(false))!;
            outputs["_loop"] = s.Loop + _options.RerunIndexOffset;
            outputs["_inner_loop"] = s.InnerLoop + _options.RerunIndexOffset;
        }

        return outputs;
    }

    /// <summary>The node's raw inputs: the tree's, unless a retry stored new ones.</summary>
    private static async ValueTask<JsonObject> RawInputsAsync(NodeStep step) =>
        step.HadState ? await step.Tx.Data.GetRawInputsOverrideAsync(step.Info.Node.Id).ConfigureAwait(false) ?? step.Info.RawInputs : step.Info.RawInputs;

    private async ValueTask<HandlerResult> PrepareActivityAsync(NodeStep step)
    {
        var tx = step.Tx;
        var node = (ServiceActivityNode)step.Info.Node;
        var raw = await RawInputsAsync(step).ConfigureAwait(false);
        var rootData = step.Compiled.RootDataCopy();
        var offset = _options.RerunIndexOffset;
        var extra = new Dictionary<string, JsonNode?>
        {
            ["_loop"] = step.State.Loop + offset,
            ["_inner_loop"] = step.State.InnerLoop + offset,
        };
        JsonObject inputs;
        try
        {
            inputs = await RenderInputsAsync(step, raw, extra, ownLoop: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BambooException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            var rawValues = new JsonObject();
            foreach (var (k, v) in raw)
            {
                rawValues[k] = (v as JsonObject)?["value"]?.DeepClone();
            }

            await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(node.Id, rawValues, new JsonObject
            {
                ["ex_data"] = $"inputs hydrate failed({ex.Message}), check node log for details",
                ["_result"] = false,
                ["_loop"] = step.State.Loop,
                ["_inner_loop"] = step.State.InnerLoop,
            })).ConfigureAwait(false);
            await step.FailAsync(null).ConfigureAwait(false);
            return HandlerResult.SleepResult;
        }

        step.ServiceCall = new ServiceCallOutcome(step.Task, step.Info, step.State.Version, step.Process.RootPipelineId,
            step.TopPipelineId, step.State.Loop, step.State.InnerLoop, inputs, rootData);
        return new HandlerResult.CallService();
    }

    /// <summary>Renders raw inputs (or params) in the top pipeline's context; escaped inputs pass through.</summary>
    private async ValueTask<JsonObject> RenderInputsAsync(NodeStep step, JsonObject raw, Dictionary<string, JsonNode?> extra, bool ownLoop)
    {
        var toRender = new Dictionary<string, JsonNode?>();
        var escaped = new Dictionary<string, JsonNode?>();
        foreach (var (k, v) in raw)
        {
            var entry = v as JsonObject;
            var value = entry?["value"];
            if (entry?["need_render"] is JsonValue nr && nr.TryGetValue<bool>(out var need) && need)
            {
                toRender[k] = value;
            }
            else
            {
                escaped[k] = value;
            }
        }

        var result = new JsonObject();
        if (toRender.Count > 0)
        {
            await RenderIntoAsync(result, step, toRender, ownLoop).ConfigureAwait(false);
        }

        foreach (var (k, v) in extra)
        {
            result[k] = v?.DeepClone();
        }

        foreach (var (k, v) in escaped)
        {
            result[k] = v?.DeepClone();
        }

        return result;
    }

    /// <summary>Renders the inputs that need it; nothing is loaded or hydrated for a node that has none.</summary>
    private async ValueTask RenderIntoAsync(JsonObject result, NodeStep step, Dictionary<string, JsonNode?> toRender, bool ownLoop)
    {
        var refs = new HashSet<string>();
        foreach (var v in toRender.Values)
        {
            refs.UnionWith(Template.References(v));
        }

        var values = (await ContextHydrator.LoadAsync(step.Tx, step.TopPipelineId, refs).ConfigureAwait(false)).ToList();
        foreach (var (outKey, ctxKeys) in step.Info.OutputsMapping)
        {
            if (outKey == "_loop" || (ownLoop && outKey == "_inner_loop"))
            {
                var n = (outKey == "_loop" ? step.State.Loop : step.State.InnerLoop) + _options.RerunIndexOffset;
                values.AddRange(ctxKeys.Select(k => new ContextValue(k, ContextValueType.Plain, JsonValue.Create(n), "", [])));
            }
        }

        var hydrated = ContextHydrator.Hydrate(values, step.Lazy);
        foreach (var (k, v) in toRender)
        {
            result[k] = Template.Render(v, hydrated);
        }
    }

    private static async ValueTask ExtractOutputsAsync(IStoreTransaction tx, NodeInfo info, JsonObject outputs, string pipelineId)
    {
        foreach (var (outKey, ctxKeys) in info.OutputsMapping)
        {
            if (!outputs.TryGetPropertyValue(outKey, out var value))
            {
                continue;
            }

            foreach (var ctxKey in ctxKeys)
            {
                await tx.Data.UpsertContextValueAsync(pipelineId, new ContextValue(ctxKey, ContextValueType.Plain, value?.DeepClone(), "", [])).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask<HandlerResult> SubProcessAsync(NodeStep step, SubProcessNode sub)
    {
        var tx = step.Tx;
        var raw = await RawInputsAsync(step).ConfigureAwait(false);
        JsonObject inputs;
        try
        {
            inputs = await RenderInputsAsync(step, raw, [], ownLoop: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is BambooException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            await tx.States.ResetInnerLoopAsync(step.Compiled.Pipelines[sub.Id].NodeIds).ConfigureAwait(false);
            await step.FailAsync($"context hydrate failed({ex.Message}), check node log for details.").ConfigureAwait(false);
            return HandlerResult.SleepResult;
        }

        // After rendering, which may stop the walk for a lazy variable: nothing of the node is written before.
        await tx.States.ResetInnerLoopAsync(step.Compiled.Pipelines[sub.Id].NodeIds).ConfigureAwait(false);

        var existing = await tx.Data.GetExecutionDataAsync(sub.Id).ConfigureAwait(false);
        await tx.Data.SetExecutionDataAsync(new ExecutionDataRecord(sub.Id, inputs, existing?.Outputs ?? [])).ConfigureAwait(false);
        foreach (var (k, v) in inputs)
        {
            await tx.Data.UpsertContextValueAsync(sub.Id, new ContextValue(k, ContextValueType.Plain, v?.DeepClone(), "", [])).ConfigureAwait(false);
        }

        step.Process = step.Process with { PipelineStack = [.. step.Process.PipelineStack, sub.Id] };
        return new HandlerResult.Next(sub.Pipeline.StartEvent.Id);
    }

    private static async ValueTask<HandlerResult> ForkAsync(NodeStep step, GatewayNode gateway, List<string> targets)
    {
        var tx = step.Tx;
        var converge = gateway.ConvergeGatewayId ?? throw new TreeInvalidException($"gateway {gateway.Id} has no converge_gateway_id");
        step.Process = await ForkChildrenAsync(tx, step.Process, targets.Distinct().ToList(), converge, step.Branches).ConfigureAwait(false);
        step.Finish();
        return HandlerResult.SleepResult;
    }

    /// <summary>
    /// Creates one child per target and makes the parent wait for all of them; returns the parent as written. Each
    /// child is queued, or, while <paramref name="inline"/> has budget, handed to it to start in this transaction.
    /// </summary>
    internal static async ValueTask<ProcessRecord> ForkChildrenAsync(IStoreTransaction tx, ProcessRecord parent, IReadOnlyList<string> targets, string converge, Branches? inline = null)
    {
        var waiting = parent with { Asleep = true, NeedAck = targets.Count, AckNum = 0 };
        await tx.Processes.UpdateAsync(waiting).ConfigureAwait(false);
        // The first children (while the budget lasts) start in this transaction, awake; the rest sleep until claimed.
        var startingHere = Math.Clamp(inline?.Budget ?? 0, 0, targets.Count);
        var children = targets.Select((target, i) => new ProcessRecord(0, parent.RootPipelineId, parent.Id, converge, target,
            parent.PipelineStack, i >= startingHere, false, "", false, -1, 0, tx.Now, parent.Priority, parent.Queue)).ToList();
        var ids = await tx.Processes.InsertAllAsync(children).ConfigureAwait(false);
        for (var i = 0; i < children.Count; i++)
        {
            var child = children[i] with { Id = ids[i] };
            if (i < startingHere)
            {
                inline!.Budget--;
                inline.Forked.Add(child);
            }
            else
            {
                await tx.Tasks.AddAsync(TaskRecord.Execute(child.RootPipelineId, child.Id, child.CurrentNodeId)).ConfigureAwait(false);
            }
        }

        return waiting;
    }

    private async ValueTask<HandlerResult> ConditionalGatewayAsync(NodeStep step, GatewayNode gateway)
    {
        var tx = step.Tx;
        Dictionary<string, JsonNode?> hydrated;
        try
        {
            var refs = new HashSet<string>();
            foreach (var c in gateway.Conditions)
            {
                refs.UnionWith(Template.References(c.Evaluate));
            }

            var values = await ContextHydrator.LoadAsync(tx, step.TopPipelineId, refs).ConfigureAwait(false);
            hydrated = ContextHydrator.Hydrate(values, step.Lazy);
            foreach (var (k, v) in hydrated.ToList())
            {
                if (v is JsonValue sv && sv.TryGetValue<string>(out var s) && s.IndexOfAny(['\n', '\r', '\t']) >= 0
                    && !s.Contains("\\n", StringComparison.Ordinal) && !s.Contains("\\r", StringComparison.Ordinal) && !s.Contains("\\t", StringComparison.Ordinal))
                {
                    hydrated[k] = s.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);
                }
            }
        }
        catch (Exception ex) when (ex is BambooException or InvalidOperationException or FormatException or KeyNotFoundException or ArgumentException)
        {
            await step.FailAsync($"evaluation context hydrate failed({ex.Message}), check node log for details.").ConfigureAwait(false);
            return HandlerResult.SleepResult;
        }

        var first = _options.HonourGatewayStrategy && gateway.ExtraInfo?["strategy"] is JsonValue sv2 && sv2.TryGetValue<string>(out var strategy) && strategy == "FIRST";
        var chosen = new List<string>();
        foreach (var condition in gateway.Conditions)
        {
            var rendered = Template.RenderString(condition.Evaluate, hydrated);
            var text = rendered is JsonValue rv && rv.TryGetValue<string>(out var rs) ? rs : rendered?.ToJsonString() ?? "None";
            try
            {
                if (BoolRule.Evaluate(text))
                {
                    chosen.Add(condition.FlowId);
                    if (first && gateway.Kind == NodeKind.ExclusiveGateway)
                    {
                        break;
                    }
                }
            }
            catch (ConditionParseException)
            {
                await step.FailAsync($"evaluate[{condition.Evaluate}] fail with data[{ContextJson(hydrated)}]：please check if some variable not exists or the expression is unsupported, related reference is <a href=\"https://boolrule.readthedocs.io/en/latest/expressions.html\">boolrule</a>").ConfigureAwait(false);
                return HandlerResult.SleepResult;
            }
            catch (ExpressionException ex)
            {
                var shown = gateway.Kind == NodeKind.ExclusiveGateway ? text : condition.Evaluate;
                await step.FailAsync($"evaluate[{shown}] fail with data[{ContextJson(hydrated)}] message: {ex.Message}").ConfigureAwait(false);
                return HandlerResult.SleepResult;
            }
        }

        if (chosen.Count == 0 && gateway.DefaultFlowId is not null)
        {
            chosen.Add(gateway.DefaultFlowId);
        }

        if (chosen.Count == 0)
        {
            await step.FailAsync("all conditions of branches are not meet").ConfigureAwait(false);
            return HandlerResult.SleepResult;
        }

        var targets = chosen.Select(f => step.Info.Targets.First(t => t.FlowId == f).Target).ToList();
        if (gateway.Kind == NodeKind.ConditionalParallelGateway)
        {
            return await ForkAsync(step, gateway, targets).ConfigureAwait(false);
        }

        if (chosen.Count > 1)
        {
            await step.FailAsync($"multiple conditions meet: [{string.Join(", ", chosen.Select(c => "'" + c + "'"))}]").ConfigureAwait(false);
            return HandlerResult.SleepResult;
        }

        step.Finish();
        return new HandlerResult.Next(targets[0]);
    }

    private static string ContextJson(Dictionary<string, JsonNode?> context)
    {
        var o = new JsonObject();
        foreach (var (k, v) in context)
        {
            o[k] = v?.DeepClone();
        }

        // Python's json.dumps default style: ", " and ": " separators, non-ASCII escaped.
        var compact = o.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Default });
        return compact.Replace("\":", "\": ", StringComparison.Ordinal).Replace(",\"", ", \"", StringComparison.Ordinal);
    }
}
