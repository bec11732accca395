using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;
using Bamboo.Engine.Validation;

namespace Bamboo.Engine.Api;

/// <summary>
/// The 21 functions of bamboo's Engine API. Each checks its preconditions and changes the store in one transaction,
/// so a refused call changes nothing; none throws to its caller.
/// </summary>
internal static partial class EngineApi
{
    private static async Task<EngineApiResult> Guard(Func<Task<JsonNode?>> body)
    {
        try
        {
            return EngineApiResult.Success(await body().ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            throw;
        }
#pragma warning disable CA1031 // The API contract: every failure becomes result = false with the reason.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return EngineApiResult.Fail(ex);
        }
    }

    /// <summary>
    /// Guards a call about one node: a null id is the caller's mistake and gets result = false naming the argument; an
    /// id nothing has is the body's to answer (the queries answer some of those with an empty result, as bamboo does).
    /// </summary>
    private static Task<EngineApiResult> Guard(string? id, Func<Task<JsonNode?>> body, [CallerArgumentExpression(nameof(id))] string? name = null) =>
        id is null ? Task.FromResult(EngineApiResult.Fail(new ArgumentNullException(name, $"{name} is required, got null")))
        : !StoredText.IsStorable(id) ? Task.FromResult(EngineApiResult.Fail(new ArgumentException($"{StoredText.Problem(name ?? "the id")}, so nothing has it", name)))
        : Guard(body);

    /// <summary>A companion argument (a version, a flow id) that a store would be asked to compare: refused as an id is.</summary>
    private static void CheckStorable(string? value, [CallerArgumentExpression(nameof(value))] string? name = null)
    {
        if (!StoredText.IsStorable(value))
        {
            throw new ArgumentException(StoredText.Problem(name ?? "the argument"), name);
        }
    }

    private static ValueTask<CompiledPipeline> CompiledForAsync(BambooEngine engine, IStoreTransaction tx, string nodeId) =>
        engine.Compiled.ForNodeAsync(tx, nodeId);

    /// <summary>Validates and starts a pipeline; the run proceeds in the workers.</summary>
    public static Task<EngineApiResult> RunPipelineAsync(BambooEngine engine, Pipeline pipeline, RunPipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Guard(async () =>
        {
            ArgumentNullException.ThrowIfNull(engine);
            ArgumentNullException.ThrowIfNull(pipeline);
            options ??= new RunPipelineOptions();
            CheckStorable(options.Name, "options.Name");
            CheckStorable(options.Queue, "options.Queue");
            CheckStorable(pipeline.Source["name"] is JsonValue treeName && treeName.TryGetValue<string>(out var n) ? n : null, "the tree's name");
            foreach (var key in options.RootPipelineContext.Select(kv => kv.Key).Concat(options.SubprocessContext.Select(kv => kv.Key)))
            {
                CheckStorable(key, $"context key {PipelineValidator.Printable(key)}");
            }

            var validated = new PipelineValidator(engine.Components.EndEventCodes).Validate(pipeline, options.CycleTolerate);
            var start = options.StartNodeId ?? validated.StartEvent.Id;
            PipelineValidator.ValidateStartNode(validated, start);
            var rootContext = options.RootPipelineContext.ToDictionary(kv => kv.Key, kv => kv.Value);
            var subContext = options.SubprocessContext.ToDictionary(kv => kv.Key, kv => kv.Value);
            var compiled = CompiledPipeline.Compile(validated, options.RootPipelineData, subContext, rootContext);
            CheckContextConflicts(compiled);
            if (options.CheckComponents)
            {
                CheckComponents(engine.Components, compiled);
            }

            // The caller's tree is stored as given; validation is deterministic and is redone when a process loads it.
            var treeJson = pipeline.Source.ToJsonString();
            var cache = engine.Compiled;
            // Everything that needs no store is made before the transaction, outside the write lock.
            var nodeIds = compiled.Nodes.Keys.Append(validated.Id).Distinct().ToList();
            var rootData = (JsonObject)options.RootPipelineData.DeepClone();
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await engine.Store.WriteAsync(tx => StoreRunAsync(tx, validated, compiled, options, treeJson, nodeIds, rootData, start, cache), cancellationToken).ConfigureAwait(false);
                    return null;
                }
                catch (NodeIdsTakenException)
                {
                    cache.Remove(compiled);
                }
                catch
                {
                    // The cache took the run inside the transaction; a run that did not commit must not stay in it.
                    cache.Remove(compiled);
                    throw;
                }

                if (await TakenErrorAsync(engine, validated.Id, nodeIds, attempt, cancellationToken).ConfigureAwait(false) is { } refused)
                {
                    throw refused;
                }
            }
        });

    private const int StoreRunAttempts = 3;

    /// <summary>
    /// Why a run's ids could not be indexed, asked after its transaction failed (a store may learn of a taken id only
    /// at the commit): the root ran before, or another run uses a node id. Null when no committed run holds any of
    /// them (the run that took one was itself undone): the run is stored again, up to <see cref="StoreRunAttempts"/> times.
    /// </summary>
    private static async Task<Exception?> TakenErrorAsync(BambooEngine engine, string rootId, IReadOnlyCollection<string> nodeIds, int attempt, CancellationToken cancellationToken)
    {
        var taken = await engine.Store.ReadAsync(tx => tx.Runs.FindTakenAsync(rootId, nodeIds), cancellationToken).ConfigureAwait(false);
        return taken == rootId ? new InvalidOperationError($"pipeline({rootId}) already exists; a root id can run only once")
            : taken is not null ? new IdTakenError(taken)
            : attempt < StoreRunAttempts ? null
            : new InvalidOperationError($"pipeline({rootId}): its node ids were taken {attempt} times by runs stored at the same moment that did not commit; try again");
    }

    private static async ValueTask<int> StoreRunAsync(IStoreTransaction tx, Pipeline validated, CompiledPipeline compiled, RunPipelineOptions options, string treeJson,
        IReadOnlyCollection<string> nodeIds, JsonObject rootData, string start, CompiledPipelineCache cache)
    {
        // The root id is one of the run's node ids, so one insert detects both a root that ran before and a node id
        // that another run uses (the work fails with NodeIdsTakenException, see TakenErrorAsync).
        var name = options.Name ?? (validated.Source["name"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue<string>(out var n) ? n : "");
        await tx.Runs.InsertAsync(new RunRecord(validated.Id, treeJson, options.CycleTolerate, rootData, tx.Now) { Name = name }, nodeIds).ConfigureAwait(false);

        foreach (var (pipelineId, info) in compiled.Pipelines)
        {
            foreach (var value in info.InitialContext)
            {
                await tx.Data.UpsertContextValueAsync(pipelineId, value).ConfigureAwait(false);
            }
        }

        await tx.States.InsertAsync(new StateRecord(validated.Id, validated.Id, "", NodeState.Running, Versions.New(), 1, 1, 0, false, false, tx.Now, tx.Now, null)).ConfigureAwait(false);
        var process = await tx.Processes.InsertAsync(new ProcessRecord(0, validated.Id, -1, "", start, [validated.Id], true, false, "", false, -1, 0, tx.Now, options.Priority, options.Queue)).ConfigureAwait(false);
        await tx.Tasks.AddAsync(TaskRecord.Execute(validated.Id, process, start)).ConfigureAwait(false);
        // Cached before the commit: the worker that claims the first task often runs before this caller resumes, and
        // would otherwise parse the tree again inside the write lock. Nothing after this line can fail but the commit.
        cache.Add(compiled);
        return 0;
    }

    /// <summary>Every component and lazy variable type the run uses must be registered here; the error names the first that is not.</summary>
    private static void CheckComponents(Components.ComponentRegistry registry, CompiledPipeline compiled)
    {
        foreach (var info in compiled.Nodes.Values)
        {
            if (info.Node is ServiceActivityNode a && !registry.HasComponent(a.ComponentCode, a.ComponentVersion))
            {
                throw new InvalidOperationError($"node {a.Id}: component {a.ComponentCode} (version {(string.IsNullOrEmpty(a.ComponentVersion) ? Components.ComponentRegistry.DefaultVersion : a.ComponentVersion)}) is not registered in this process");
            }
        }

        foreach (var (id, info) in compiled.Pipelines)
        {
            foreach (var value in info.InitialContext.Where(v => v.Type == ContextValueType.Compute && !registry.HasVariable(v.Code)))
            {
                throw new InvalidOperationError($"pipeline {id}, variable {value.Key}: variable type {value.Code} is not registered in this process");
            }
        }
    }

    private static void CheckContextConflicts(CompiledPipeline compiled)
    {
        foreach (var (id, info) in compiled.Pipelines)
        {
            var duplicate = info.InitialContext.GroupBy(v => v.Key).FirstOrDefault(g => g.Count() > 1);
            if (duplicate is not null)
            {
                throw new InvalidOperationError($"context key {duplicate.Key} of pipeline {id} is declared twice (a preset context key collides with a declared variable)");
            }
        }
    }
}
