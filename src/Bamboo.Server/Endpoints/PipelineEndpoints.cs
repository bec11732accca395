using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Client;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Server.Contracts;
using Bamboo.Server.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Bamboo.Server.Endpoints;

/// <summary>Runs: list, start, look at, pause, resume, revoke (docs/http-api.md).</summary>
internal static class PipelineEndpoints
{
    private const int LongestWaitSeconds = 60;

    public static RouteGroupBuilder MapPipelineEndpoints(this IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/pipelines").WithTags("pipelines");
        group.MapGet("/", ListAsync).WithName("list_pipelines");
        group.MapPost("/", RunAsync).WithName("run_pipeline").RequireAuthorization(AccessRole.Operator);
        group.MapGet("/{id}", GetAsync).WithName("get_pipeline");
        group.MapGet("/{id}/tree", TreeAsync).WithName("get_pipeline_tree");
        group.MapGet("/{id}/states", StatesAsync).WithName("get_pipeline_states");
        group.MapGet("/{id}/outputs", OutputsAsync).WithName("get_pipeline_outputs");
        group.MapGet("/{id}/outcome", OutcomeAsync).WithName("get_pipeline_outcome");
        group.MapPost("/{id}/pause", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForPipelineAsync("pause_pipeline", id, engine.Client.PausePipelineAsync(id, ct), ct)).WithName("pause_pipeline").RequireAuthorization(AccessRole.Operator);
        group.MapPost("/{id}/resume", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForPipelineAsync("resume_pipeline", id, engine.Client.ResumePipelineAsync(id, ct), ct)).WithName("resume_pipeline").RequireAuthorization(AccessRole.Operator);
        group.MapPost("/{id}/revoke", (string id, EngineResults engine, CancellationToken ct) =>
            engine.ForPipelineAsync("revoke_pipeline", id, engine.Client.RevokePipelineAsync(id, ct), ct)).WithName("revoke_pipeline").RequireAuthorization(AccessRole.Operator);
        return group;
    }

    private static async Task<Results<Ok<PipelinePage>, ValidationProblem>> ListAsync(
        BambooClient client, string? state, string? search, string? from, string? before, string? limit, string? after, CancellationToken cancellationToken)
    {
        if (!QueryValue.TryTime(from, out var fromTime))
        {
            return ServerProblems.Field("from", "must be an ISO 8601 time");
        }

        if (!QueryValue.TryTime(before, out var beforeTime))
        {
            return ServerProblems.Field("before", "must be an ISO 8601 time");
        }

        if (!QueryValue.TryInt(limit, 50, 1, 500, out var count))
        {
            return ServerProblems.Field("limit", "must be a whole number from 1 to 500");
        }

        // States are bamboo's upper-case names; the query takes them in any case.
        var runState = state?.ToUpperInvariant();
        if (runState is not null && !NodeState.RunStates.Contains(runState))
        {
            return ServerProblems.Field("state", $"must be one of {string.Join(", ", NodeState.RunStates)} (a run with a failed node is RUNNING)");
        }

        var query = new PipelineQuery { State = runState, Text = search, From = fromTime, Before = beforeTime, Limit = count, After = after };
        try
        {
            return TypedResults.Ok(await client.ListPipelinesAsync(query, cancellationToken));
        }
        catch (ArgumentException)
        {
            return ServerProblems.Field("after", "is not a cursor this server handed out (a page's next)");
        }
    }

    private static async Task<Results<Ok<EngineApiResponse>, ValidationProblem>> RunAsync(
        RunPipelineRequest body, EngineResults engine, IOptions<BambooServerOptions> options, CancellationToken cancellationToken)
    {
        if (body.Tree is null)
        {
            return ServerProblems.Field("tree", "required");
        }

        Pipeline pipeline;
        try
        {
            pipeline = Pipeline.Parse(body.Tree.ToJsonString());
        }
        catch (PipelineFormatException ex)
        {
            var path = ex.Path.TrimStart('$', '.');
            return ServerProblems.Field(path.Length == 0 ? "tree" : $"tree.{path}", ex.Problem);
        }
        catch (BambooException ex)
        {
            return ServerProblems.Field("tree", ex.Message);
        }

        // A start node named by its id in the tree given: under fresh ids it has the new one.
        var start = body.StartNodeId;
        if (body.FreshIds)
        {
            pipeline = FreshIds.Copy(pipeline, out var renamed);
            start = start is null ? null : renamed(start);
        }

        var run = new RunPipelineOptions
        {
            RootPipelineData = body.RootPipelineData ?? [],
            RootPipelineContext = body.RootPipelineContext ?? [],
            SubprocessContext = body.SubprocessContext ?? [],
            CycleTolerate = body.CycleTolerate,
            StartNodeId = start,
            Name = body.Name,
            // A server that runs the work itself refuses a tree it could never run, naming the node; one without
            // workers leaves that to the workers elsewhere, which may have other components.
            CheckComponents = options.Value.Workers,
        };
        var result = await engine.Client.RunPipelineAsync(pipeline, run, cancellationToken);
        return TypedResults.Ok(engine.Respond("run_pipeline", result, result.Result ? new JsonObject { ["id"] = pipeline.Id } : null));
    }

    private static async Task<Results<Ok<PipelineResponse>, ProblemHttpResult>> GetAsync(string id, BambooClient client, CancellationToken cancellationToken)
    {
        var view = await client.GetPipelineAsync(id, cancellationToken);
        var outcome = view is null ? null : await client.GetOutcomeAsync(id, cancellationToken);
        if (view is null || outcome is null)
        {
            return EngineResults.PipelineNotFound(id);
        }

        return TypedResults.Ok(new PipelineResponse(view.Id, view.Name, view.State, view.CreatedAt, view.Nodes, OutcomeResponse.From(outcome)));
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> TreeAsync(string id, BambooClient client, CancellationToken cancellationToken)
    {
        var run = await client.Engine.Store.ReadAsync(tx => tx.Runs.GetAsync(id), cancellationToken);
        return run is null ? EngineResults.PipelineNotFound(id) : TypedResults.Text(run.TreeJson, "application/json");
    }

    private static async Task<Results<Ok<EngineApiResponse>, ProblemHttpResult, ValidationProblem>> StatesAsync(
        string id, [FromQuery(Name = "flat_children")] string? flatChildren, EngineResults engine, CancellationToken cancellationToken)
    {
        if (!QueryValue.TryBool(flatChildren, true, out var flat))
        {
            return ServerProblems.Field("flat_children", "must be true or false");
        }

        return await engine.ForPipelineCheckedAsync("get_pipeline_states", id, engine.Client.GetPipelineStatesAsync(id, flat, cancellationToken), cancellationToken);
    }

    private static async Task<Results<Ok<JsonObject>, ProblemHttpResult>> OutputsAsync(string id, BambooClient client, CancellationToken cancellationToken) =>
        await client.GetPipelineOutputsAsync(id, cancellationToken) is { } outputs ? TypedResults.Ok(outputs) : EngineResults.PipelineNotFound(id);

    /// <summary>How the run stands; with <c>wait</c> (seconds), answers when it stops or when the wait is up.</summary>
    private static async Task<Results<Ok<OutcomeResponse>, ProblemHttpResult, ValidationProblem>> OutcomeAsync(
        string id, string? wait, BambooClient client, CancellationToken cancellationToken)
    {
        if (!QueryValue.TryInt(wait, 0, 0, LongestWaitSeconds, out var seconds))
        {
            return ServerProblems.Field("wait", $"must be a whole number of seconds from 0 to {LongestWaitSeconds}");
        }

        var outcome = await client.GetOutcomeAsync(id, cancellationToken);
        if (outcome is null)
        {
            return EngineResults.PipelineNotFound(id);
        }

        if (outcome.End == PipelineEnd.Running && seconds > 0)
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            waiting.CancelAfter(TimeSpan.FromSeconds(seconds));
            try
            {
                outcome = await client.WaitForPipelineAsync(id, waiting.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                outcome = await client.GetOutcomeAsync(id, cancellationToken) ?? outcome;
            }
        }

        return TypedResults.Ok(OutcomeResponse.From(outcome));
    }
}
