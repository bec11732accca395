using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Client;
using Bamboo.Engine.Exceptions;
using Bamboo.Server.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace Bamboo.Server.Endpoints;

/// <summary>
/// Engine API results as HTTP answers: 200 with bamboo's result shape (a refusal included, its trace logged, never
/// sent), or 404 when nothing has the id. The id is looked up only when the answer is a refusal or empty, so a call
/// that succeeds costs no second read.
/// </summary>
internal sealed class EngineResults(BambooClient client, ILogger<EngineResults> logger)
{
    public BambooClient Client => client;

    public EngineApiResponse Respond(string function, EngineApiResult result, JsonNode? data = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        switch (result.Exception)
        {
            case BambooException refused:
                Log.EngineRefused(logger, refused, function, result.Message);
                break;
            case { } failed:
                Log.EngineFailed(logger, failed, function, result.Message);
                break;
        }

        return EngineApiResponse.From(result, data);
    }

    /// <summary>A call on a run (root pipeline) id: 200 with its result, or 404.</summary>
    public async Task<Results<Ok<EngineApiResponse>, ProblemHttpResult>> ForPipelineAsync(string function, string pipelineId, Task<EngineApiResult> call, CancellationToken cancellationToken)
    {
        var result = await call;
        if ((!result.Result || IsEmpty(result.Data)) && !await RunExistsAsync(pipelineId, cancellationToken))
        {
            return PipelineNotFound(pipelineId);
        }

        return TypedResults.Ok(Respond(function, result));
    }

    /// <summary>A call on a node id (any node of any run, a subprocess or the root included): 200 with its result, or 404.</summary>
    public async Task<Results<Ok<EngineApiResponse>, ProblemHttpResult>> ForNodeAsync(string function, string nodeId, Task<EngineApiResult> call, CancellationToken cancellationToken)
    {
        var result = await call;
        if ((!result.Result || IsEmpty(result.Data)) && !await NodeExistsAsync(nodeId, cancellationToken))
        {
            return NodeNotFound(nodeId);
        }

        return TypedResults.Ok(Respond(function, result));
    }

    /// <summary>As <see cref="ForPipelineAsync"/>, for a route that also checked its query or body.</summary>
    public async Task<Results<Ok<EngineApiResponse>, ProblemHttpResult, ValidationProblem>> ForPipelineCheckedAsync(string function, string pipelineId, Task<EngineApiResult> call, CancellationToken cancellationToken) =>
        (await ForPipelineAsync(function, pipelineId, call, cancellationToken)).Result switch
        {
            Ok<EngineApiResponse> ok => ok,
            var problem => (ProblemHttpResult)problem,
        };

    /// <summary>As <see cref="ForNodeAsync"/>, for a route that also checked its query or body.</summary>
    public async Task<Results<Ok<EngineApiResponse>, ProblemHttpResult, ValidationProblem>> ForNodeCheckedAsync(string function, string nodeId, Task<EngineApiResult> call, CancellationToken cancellationToken) =>
        (await ForNodeAsync(function, nodeId, call, cancellationToken)).Result switch
        {
            Ok<EngineApiResponse> ok => ok,
            var problem => (ProblemHttpResult)problem,
        };

    public Task<bool> RunExistsAsync(string pipelineId, CancellationToken cancellationToken) =>
        client.Engine.Store.ReadAsync(async tx => await tx.Runs.GetAsync(pipelineId) is not null, cancellationToken);

    public Task<bool> NodeExistsAsync(string nodeId, CancellationToken cancellationToken) =>
        client.Engine.Store.ReadAsync(async tx => await tx.Runs.GetNodeRootAsync(nodeId) is not null, cancellationToken);

    public static ProblemHttpResult PipelineNotFound(string pipelineId) => ServerProblems.NotFound($"pipeline({pipelineId}) does not exist");

    public static ProblemHttpResult NodeNotFound(string nodeId) => ServerProblems.NotFound($"no pipeline has a node({nodeId})");

    private static bool IsEmpty(JsonNode? data) => data is JsonObject { Count: 0 } or JsonArray { Count: 0 };
}
