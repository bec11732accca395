using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Model;

namespace Bamboo.Engine.Client;

/// <summary>
/// The Engine API of one engine, for applications, the CLI and the server: bamboo's 21 functions with their
/// bamboo-shaped results (<see cref="EngineApiResult"/>; they never throw), and typed queries beside them
/// (BambooClient.Queries.cs). Get it from the container (<c>AddBambooEngine()</c>) or make one over a
/// <see cref="BambooEngine"/>. Works across processes: everything it reads and writes is in the store.
/// </summary>
public sealed partial class BambooClient
{
    /// <summary>A client over <paramref name="engine"/>; with <paramref name="local"/>, the workers of this process wake its waits at once.</summary>
    public BambooClient(BambooEngine engine, Execution.PipelineEngine? local = null)
    {
        Engine = engine ?? throw new ArgumentNullException(nameof(engine));
        if (local is not null)
        {
            // Not the node hooks: they fire several times a step, and each woken wait reads the store between the steps.
            local.TaskEnded += Nudge;
        }
    }

    public BambooEngine Engine { get; }

    /// <summary>Validates and starts a pipeline; workers run it.</summary>
    public Task<EngineApiResult> RunPipelineAsync(Pipeline pipeline, RunPipelineOptions? options = null, CancellationToken cancellationToken = default) =>
        EngineApi.RunPipelineAsync(Engine, pipeline, options, cancellationToken);

    public Task<EngineApiResult> PausePipelineAsync(string pipelineId, CancellationToken cancellationToken = default) =>
        EngineApi.PausePipelineAsync(Engine, pipelineId, cancellationToken);

    public Task<EngineApiResult> ResumePipelineAsync(string pipelineId, CancellationToken cancellationToken = default) =>
        EngineApi.ResumePipelineAsync(Engine, pipelineId, cancellationToken);

    public Task<EngineApiResult> RevokePipelineAsync(string pipelineId, CancellationToken cancellationToken = default) =>
        EngineApi.RevokePipelineAsync(Engine, pipelineId, cancellationToken);

    /// <summary>Pauses before a node that has not started: it will not start until resumed.</summary>
    public Task<EngineApiResult> PauseNodeAppointAsync(string nodeId, CancellationToken cancellationToken = default) =>
        EngineApi.PauseNodeAppointAsync(Engine, nodeId, cancellationToken);

    public Task<EngineApiResult> ResumeNodeAppointAsync(string nodeId, CancellationToken cancellationToken = default) =>
        EngineApi.ResumeNodeAppointAsync(Engine, nodeId, cancellationToken);

    /// <summary>Runs a FAILED node again, with new raw inputs when <paramref name="data"/> is given.</summary>
    public Task<EngineApiResult> RetryNodeAsync(string nodeId, JsonObject? data = null, CancellationToken cancellationToken = default) =>
        EngineApi.RetryNodeAsync(Engine, nodeId, data, cancellationToken);

    public Task<EngineApiResult> RetrySubprocessAsync(string nodeId, CancellationToken cancellationToken = default) =>
        EngineApi.RetrySubprocessAsync(Engine, nodeId, cancellationToken);

    /// <summary>Finishes a FAILED activity without running it, and goes on.</summary>
    public Task<EngineApiResult> SkipNodeAsync(string nodeId, CancellationToken cancellationToken = default) =>
        EngineApi.SkipNodeAsync(Engine, nodeId, cancellationToken);

    public Task<EngineApiResult> SkipExclusiveGatewayAsync(string nodeId, string flowId, CancellationToken cancellationToken = default) =>
        EngineApi.SkipExclusiveGatewayAsync(Engine, nodeId, flowId, cancellationToken);

    public Task<EngineApiResult> SkipConditionalParallelGatewayAsync(string nodeId, IReadOnlyList<string> flowIds, string convergeGatewayId, CancellationToken cancellationToken = default) =>
        EngineApi.SkipConditionalParallelGatewayAsync(Engine, nodeId, flowIds, convergeGatewayId, cancellationToken);

    public Task<EngineApiResult> ForcedFailActivityAsync(string nodeId, string exData = "forced fail by operator", CancellationToken cancellationToken = default) =>
        EngineApi.ForcedFailActivityAsync(Engine, nodeId, exData, cancellationToken);

    /// <summary>
    /// Delivers callback data to an activity waiting for it. Without <paramref name="version"/> the node's current
    /// version is used: a callback for "whatever attempt waits now". Give the version the service saw
    /// (<c>Context.Version</c>) to be sure a late callback never reaches a newer attempt.
    /// </summary>
    public async Task<EngineApiResult> CallbackAsync(string nodeId, JsonObject? data = null, string? version = null, CancellationToken cancellationToken = default)
    {
        if (version is null)
        {
            var state = await Engine.Store.ReadAsync(tx => tx.States.GetAsync(nodeId), cancellationToken).ConfigureAwait(false);
            if (state is null)
            {
                return EngineApiResult.Fail(new Exceptions.NotFoundError($"node({nodeId}) does not exist or has not started"));
            }

            version = state.Version;
        }

        return await EngineApi.CallbackAsync(Engine, nodeId, version, data, cancellationToken).ConfigureAwait(false);
    }

    public Task<EngineApiResult> GetPipelineStatesAsync(string rootId, bool flatChildren = true, CancellationToken cancellationToken = default) =>
        EngineApi.GetPipelineStatesAsync(Engine, rootId, flatChildren, cancellationToken);

    public Task<EngineApiResult> GetChildrenStatesAsync(string nodeId, CancellationToken cancellationToken = default) =>
        EngineApi.GetChildrenStatesAsync(Engine, nodeId, cancellationToken);

    public Task<EngineApiResult> GetExecutionDataInputsAsync(string nodeId, CancellationToken cancellationToken = default) =>
        EngineApi.GetExecutionDataInputsAsync(Engine, nodeId, cancellationToken);

    public Task<EngineApiResult> GetExecutionDataOutputsAsync(string nodeId, CancellationToken cancellationToken = default) =>
        EngineApi.GetExecutionDataOutputsAsync(Engine, nodeId, cancellationToken);

    public Task<EngineApiResult> GetExecutionDataAsync(string nodeId, CancellationToken cancellationToken = default) =>
        EngineApi.GetExecutionDataAsync(Engine, nodeId, cancellationToken);

    /// <summary>A node's raw (unrendered) inputs and its outputs mapping.</summary>
    public Task<EngineApiResult> GetDataAsync(string nodeId, CancellationToken cancellationToken = default) =>
        EngineApi.GetDataAsync(Engine, nodeId, cancellationToken);

    public Task<EngineApiResult> GetNodeHistoriesAsync(string nodeId, int loop = -1, CancellationToken cancellationToken = default) =>
        EngineApi.GetNodeHistoriesAsync(Engine, nodeId, loop, cancellationToken);

    public Task<EngineApiResult> GetNodeShortHistoriesAsync(string nodeId, int loop = -1, CancellationToken cancellationToken = default) =>
        EngineApi.GetNodeShortHistoriesAsync(Engine, nodeId, loop, cancellationToken);
}
