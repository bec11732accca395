using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Bamboo.Server;

/// <summary>
/// Refuses a body over <see cref="BambooServerOptions.MaxRequestBodyBytes"/> with 413: at once when Content-Length
/// says so, and otherwise through the server's own limit while the body is read (chunked uploads).
/// </summary>
internal sealed class RequestBodyLimit(RequestDelegate next, IOptions<BambooServerOptions> options, IProblemDetailsService problems)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > _limit)
        {
            return ServerProblems.WriteAsync(problems, context, StatusCodes.Status413PayloadTooLarge,
                $"the request body is larger than this server accepts ({_limit} bytes)");
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = _limit;
        }

        return next(context);
    }
}
