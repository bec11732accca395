using System.Globalization;
using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Api;

internal static partial class EngineApi
{
    private static JsonNode? Time(long? ms) => ms is long v ? JsonValue.Create(UtcText(v)) : null;

    /// <summary>
    /// A stored instant as "yyyy-MM-ddTHH:mm:ss.fffZ". A state entry has three: a custom format string, parsed for
    /// each, was a fifth of get_pipeline_states on a 1000-node run; the standard "s" format is written without one.
    /// </summary>
    internal static string UtcText(long unixMs) => string.Create(24, DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime, static (text, t) =>
    {
        t.TryFormat(text, out _, "s", CultureInfo.InvariantCulture);
        var ms = t.Millisecond;
        text[19] = '.';
        text[20] = (char)('0' + (ms / 100));
        text[21] = (char)('0' + (ms / 10 % 10));
        text[22] = (char)('0' + (ms % 10));
        text[23] = 'Z';
    });

    // The fields of api.md §14: inner_loop is not among them.
    private static JsonObject StateEntry(StateRecord s, string? parentOverride = null) => new()
    {
        ["id"] = s.NodeId,
        ["state"] = s.Name,
        ["root_id"] = s.RootId,
        ["parent_id"] = parentOverride ?? s.ParentId,
        ["version"] = s.Version,
        ["loop"] = s.Loop,
        ["retry"] = s.Retry,
        ["skip"] = s.Skip,
        ["error_ignorable"] = s.ErrorIgnored,
        ["error_ignored"] = s.ErrorIgnored,
        ["created_time"] = Time(s.CreatedTime),
        ["started_time"] = Time(s.StartedTime),
        ["archived_time"] = Time(s.ArchivedTime),
        ["children"] = new JsonObject(),
    };

    /// <summary>
    /// The stored states among these nodes of a run, oldest first, and in flow order within a millisecond. The store
    /// keeps no index of states by run (it would cost every step a second b-tree write), so the ids come from the tree.
    /// </summary>
    private static async ValueTask<List<StateRecord>> StatesOfAsync(IStoreTransaction tx, CompiledPipeline run, IEnumerable<string> nodeIds) =>
        [.. (await tx.States.GetManyAsync([.. nodeIds.Distinct()]).ConfigureAwait(false)).OrderBy(s => s.CreatedTime).ThenBy(s => run.FlowOrder(s.NodeId)).ThenBy(s => s.NodeId, StringComparer.Ordinal)];

    /// <summary>States of a run as a tree (or flat under the root).</summary>
    public static Task<EngineApiResult> GetPipelineStatesAsync(BambooEngine engine, string rootId, bool flatChildren = true, CancellationToken cancellationToken = default) =>
        Guard(rootId, () => engine.Store.ReadAsync<JsonNode?>(async tx =>
        {
            var run = await engine.Compiled.FindAsync(tx, rootId).ConfigureAwait(false);
            var states = run is null ? [] : await StatesOfAsync(tx, run, run.Nodes.Keys.Append(rootId)).ConfigureAwait(false);
            var root = states.FirstOrDefault(s => s.NodeId == rootId);
            if (root is null)
            {
                return new JsonObject();
            }

            var entry = StateEntry(root, root.RootId);
            var children = (JsonObject)entry["children"]!;
            if (flatChildren)
            {
                foreach (var s in states.Where(s => s.NodeId != rootId))
                {
                    children[s.NodeId] = StateEntry(s);
                }
            }
            else
            {
                var entries = states.Where(s => s.NodeId != rootId).ToDictionary(s => s.NodeId, s => StateEntry(s));
                foreach (var s in states.Where(s => s.NodeId != rootId))
                {
                    if (s.ParentId == rootId)
                    {
                        children[s.NodeId] = entries[s.NodeId];
                    }
                    else if (entries.TryGetValue(s.ParentId, out var parent))
                    {
                        ((JsonObject)parent["children"]!)[s.NodeId] = entries[s.NodeId];
                    }
                }
            }

            return new JsonObject { [rootId] = entry };
        }, cancellationToken));

    public static Task<EngineApiResult> GetChildrenStatesAsync(BambooEngine engine, string nodeId, CancellationToken cancellationToken = default) =>
        Guard(nodeId, () => engine.Store.ReadAsync<JsonNode?>(async tx =>
        {
            var state = await tx.States.GetAsync(nodeId).ConfigureAwait(false);
            if (state is null)
            {
                return new JsonObject();
            }

            var entry = StateEntry(state, state.RootId);
            var children = (JsonObject)entry["children"]!;
            var compiled = await engine.Compiled.GetAsync(tx, state.RootId).ConfigureAwait(false);
            var members = compiled.Pipelines.TryGetValue(nodeId, out var pipeline) ? pipeline.NodeIds : [];
            foreach (var c in (await StatesOfAsync(tx, compiled, members).ConfigureAwait(false)).Where(c => c.ParentId == nodeId))
            {
                children[c.NodeId] = StateEntry(c);
            }

            return new JsonObject { [nodeId] = entry };
        }, cancellationToken));

    public static Task<EngineApiResult> GetExecutionDataInputsAsync(BambooEngine engine, string nodeId, CancellationToken cancellationToken = default) =>
        Guard(nodeId, () => engine.Store.ReadAsync<JsonNode?>(async tx => (await tx.Data.GetExecutionDataAsync(nodeId).ConfigureAwait(false))?.Inputs ?? [], cancellationToken));

    public static Task<EngineApiResult> GetExecutionDataOutputsAsync(BambooEngine engine, string nodeId, CancellationToken cancellationToken = default) =>
        Guard(nodeId, () => engine.Store.ReadAsync<JsonNode?>(async tx => (await tx.Data.GetExecutionDataAsync(nodeId).ConfigureAwait(false))?.Outputs ?? [], cancellationToken));

    public static Task<EngineApiResult> GetExecutionDataAsync(BambooEngine engine, string nodeId, CancellationToken cancellationToken = default) =>
        Guard(nodeId, () => engine.Store.ReadAsync<JsonNode?>(async tx =>
        {
            var d = await tx.Data.GetExecutionDataAsync(nodeId).ConfigureAwait(false) ?? throw new NotFoundError($"node({nodeId}) has no execution data");
            return new JsonObject { ["inputs"] = d.Inputs, ["outputs"] = d.Outputs };
        }, cancellationToken));

    /// <summary>Raw (unrendered) inputs and the outputs mapping of a node.</summary>
    public static Task<EngineApiResult> GetDataAsync(BambooEngine engine, string nodeId, CancellationToken cancellationToken = default) =>
        Guard(nodeId, () => engine.Store.ReadAsync<JsonNode?>(async tx =>
        {
            var run = await tx.Runs.GetAsync(nodeId).ConfigureAwait(false);
            if (run is not null)
            {
                var inputs = new JsonObject();
                foreach (var (k, v) in run.RootPipelineData)
                {
                    inputs[k] = new JsonObject { ["need_render"] = false, ["value"] = v?.DeepClone() };
                }

                return new JsonObject { ["inputs"] = inputs, ["outputs"] = new JsonObject() };
            }

            var compiled = await CompiledForAsync(engine, tx, nodeId).ConfigureAwait(false);
            var info = compiled.Node(nodeId);
            var outputs = new JsonObject();
            foreach (var (k, keys) in info.OutputsMapping)
            {
                outputs[k] = keys[^1];
            }

            switch (info.Node)
            {
                case ServiceActivityNode or SubProcessNode:
                    return new JsonObject { ["inputs"] = await tx.Data.GetRawInputsOverrideAsync(nodeId).ConfigureAwait(false) ?? (JsonObject)info.RawInputs.DeepClone(), ["outputs"] = outputs };
                case StartEventNode when compiled.Pipelines[info.ParentPipelineId].Pipeline.Data.PreRenderKeys is { Count: > 0 } keys:
                    return new JsonObject
                    {
                        ["inputs"] = new JsonObject { ["pre_render_keys"] = new JsonObject { ["need_render"] = false, ["value"] = new JsonArray(keys.Select(k => (JsonNode)k).ToArray()) } },
                        ["outputs"] = new JsonObject(),
                    };
                default:
                    throw new NotFoundError($"node({nodeId}) has no data");
            }
        }, cancellationToken));

    public static Task<EngineApiResult> GetNodeHistoriesAsync(BambooEngine engine, string nodeId, int loop = -1, CancellationToken cancellationToken = default) =>
        Guard(nodeId, () => engine.Store.ReadAsync<JsonNode?>(async tx => new JsonArray((await tx.Schedules.GetHistoriesAsync(nodeId, loop).ConfigureAwait(false)).Select(h => (JsonNode)HistoryEntry(h, full: true)).ToArray()), cancellationToken));

    public static Task<EngineApiResult> GetNodeShortHistoriesAsync(BambooEngine engine, string nodeId, int loop = -1, CancellationToken cancellationToken = default) =>
        Guard(nodeId, () => engine.Store.ReadAsync<JsonNode?>(async tx => new JsonArray((await tx.Schedules.GetHistoriesAsync(nodeId, loop).ConfigureAwait(false)).Select(h => (JsonNode)HistoryEntry(h, full: false)).ToArray()), cancellationToken));

    /// <summary>A history row as api.md §20 shows it; the short form (§21) leaves out retry, inputs and outputs.</summary>
    private static JsonObject HistoryEntry(HistoryRecord h, bool full)
    {
        var entry = new JsonObject
        {
            ["id"] = h.Id,
            ["node_id"] = h.NodeId,
            ["started_time"] = Time(h.StartedTime),
            ["archived_time"] = Time(h.ArchivedTime),
            ["loop"] = h.Loop,
            ["skip"] = h.Skip,
            ["version"] = h.Version,
        };
        if (full)
        {
            entry["retry"] = h.Retry;
            entry["inputs"] = h.Inputs;
            entry["outputs"] = h.Outputs;
        }

        return entry;
    }
}
