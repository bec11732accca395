using Bamboo.Server.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace Bamboo.Server.Endpoints;

/// <summary>Server-sent events of a run: <c>state</c> for each node whose state changed, then <c>end</c> with the outcome.</summary>
internal static class EventEndpoints
{
    public static IEndpointRouteBuilder MapEventEndpoints(this IEndpointRouteBuilder api)
    {
        api.MapGet("/pipelines/{id}/events", StreamAsync).WithName("pipeline_events").WithTags("pipelines");
        return api;
    }

    private static async Task<Results<ServerSentEventsResult<string>, ProblemHttpResult>> StreamAsync(
        string id, EngineResults engine, PipelineEventStream events, HttpContext context, CancellationToken cancellationToken)
    {
        if (!await engine.RunExistsAsync(id, cancellationToken))
        {
            return EngineResults.PipelineNotFound(id);
        }

        return TypedResults.ServerSentEvents(events.ReadAsync(id, context.RequestAborted));
    }
}
