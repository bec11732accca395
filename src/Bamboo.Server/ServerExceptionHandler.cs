using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bamboo.Server;

/// <summary>Turns what escapes an endpoint into problem details; a stack trace never leaves the server.</summary>
internal sealed class ServerExceptionHandler(IProblemDetailsService problems, ILogger<ServerExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                await ServerProblems.WriteAsync(problems, httpContext, StatusCodes.Status413PayloadTooLarge, "the request body is larger than this server accepts");
                return true;
            case BadHttpRequestException bad:
                var (field, problem) = ServerProblems.BodyField(bad);
                await ServerProblems.WriteAsync(problems, httpContext, StatusCodes.Status400BadRequest, $"{field} {problem}", new Dictionary<string, string[]> { [field] = [problem] });
                return true;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                return true;
            default:
                Log.RequestFailed(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
                await ServerProblems.WriteAsync(problems, httpContext, StatusCodes.Status500InternalServerError, "the server failed; its log says why");
                return true;
        }
    }
}
