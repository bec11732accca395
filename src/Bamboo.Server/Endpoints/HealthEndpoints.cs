using Bamboo.Engine.Client;
using Bamboo.Server.Contracts;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Bamboo.Server.Endpoints;

/// <summary>Liveness and readiness, for load balancers and orchestrators; no token needed.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder app)
    {
        // HEAD too: probes that only look at the status use it, and it must not fall through to the page.
        string[] methods = [HttpMethods.Get, HttpMethods.Head];
        app.MapMethods("/health", methods, () => TypedResults.Ok(new HealthResponse("alive"))).WithName("health").WithTags("health").AllowAnonymous();
        app.MapMethods("/ready", methods, ReadyAsync).WithName("ready").WithTags("health").AllowAnonymous();
        return app;
    }

    /// <summary>Ready when a read transaction on the store succeeds.</summary>
    private static async Task<Results<Ok<HealthResponse>, ProblemHttpResult>> ReadyAsync(BambooClient client, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        try
        {
            await client.Engine.Store.ReadAsync(tx => tx.Runs.GetAsync(""), cancellationToken);
            return TypedResults.Ok(new HealthResponse("ready"));
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or Engine.Exceptions.BambooException or IOException or TimeoutException)
        {
            Log.NotReady(loggers.CreateLogger(typeof(HealthEndpoints)), ex);
            return TypedResults.Problem("the store cannot be read; the server log says why", statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }
}
