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
public static partial class EngineApi
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

    private static CompiledPipeline CompiledFor(IEngineRuntime runtime, IStepTransaction tx, string nodeId) =>
        CompiledPipelineCache.Of(runtime).ForNode(tx, nodeId);

    /// <summary>Validates and starts a pipeline; the run proceeds in the workers.</summary>
    public static Task<EngineApiResult> RunPipelineAsync(IEngineRuntime runtime, Pipeline pipeline, RunPipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        Guard(async () =>
        {
            ArgumentNullException.ThrowIfNull(runtime);
            ArgumentNullException.ThrowIfNull(pipeline);
            options ??= new RunPipelineOptions();
            var validated = new PipelineValidator(runtime.Components.EndEventCodes).Validate(pipeline, options.CycleTolerate);
            var start = options.StartNodeId ?? validated.StartEvent.Id;
            PipelineValidator.ValidateStartNode(validated, start);
            var rootContext = options.RootPipelineContext.ToDictionary(kv => kv.Key, kv => kv.Value);
            var subContext = options.SubprocessContext.ToDictionary(kv => kv.Key, kv => kv.Value);
            var compiled = CompiledPipeline.Compile(validated, options.RootPipelineData, subContext, rootContext);
            CheckContextConflicts(compiled);
            // The caller's tree is stored as given; validation is deterministic and is redone when a process loads it.
            var treeJson = pipeline.Source.ToJsonString();
            await runtime.TransactAsync(tx =>
            {
                if (tx.GetRun(validated.Id) is not null || tx.GetState(validated.Id) is not null)
                {
                    throw new InvalidOperationError($"pipeline({validated.Id}) already exists; a root id can run only once");
                }

                var taken = tx.InsertRun(new RunRecord(validated.Id, treeJson, options.CycleTolerate, (JsonObject)options.RootPipelineData.DeepClone(), tx.Now),
                    compiled.Nodes.Keys.Append(validated.Id).Distinct().ToList());
                if (taken is not null)
                {
                    throw new InvalidOperationError($"node id {taken} is already used by another pipeline in this store");
                }
                foreach (var (pipelineId, info) in compiled.Pipelines)
                {
                    foreach (var value in info.InitialContext)
                    {
                        tx.UpsertContextValue(pipelineId, value);
                    }
                }

                tx.InsertState(new StateRecord(validated.Id, validated.Id, "", NodeState.Running, Versions.New(), 1, 1, 0, false, false, tx.Now, tx.Now, null));
                var process = tx.InsertProcess(new ProcessRecord(0, validated.Id, -1, "", start, [validated.Id], true, false, "", false, -1, 0, tx.Now, options.Priority, options.Queue));
                tx.Enqueue(PipelineEngine.NewExecuteTask(tx, process, start));
                return 0;
            }, cancellationToken).ConfigureAwait(false);
            CompiledPipelineCache.Of(runtime).Add(compiled);
            return null;
        });

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
