using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace Bamboo.Server.Endpoints;

/// <summary>
/// The methods the API's routes take on a path. Routing answers 405 by itself only where no GET route matched: a GET
/// on a POST-only path found the page's fallback first (ruled out for /api by <see cref="PagePath"/>), so its 404 is
/// turned into the same 405 here.
/// </summary>
internal sealed class RouteMethods(EndpointDataSource endpoints)
{
    private readonly Lazy<(TemplateMatcher Matcher, IReadOnlyList<string> Methods)[]> _routes = new(() =>
    [
        .. endpoints.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>() is { HttpMethods.Count: > 0 } && !e.RoutePattern.Parameters.Any(p => p.IsCatchAll))
            .Select(e => (new TemplateMatcher(new RouteTemplate(e.RoutePattern), new RouteValueDictionary()), e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods)),
    ]);

    /// <summary>The methods of every route whose pattern matches <paramref name="path"/>, in a stable order.</summary>
    public IReadOnlyList<string> On(PathString path)
    {
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (matcher, routeMethods) in _routes.Value)
        {
            if (matcher.TryMatch(path, []))
            {
                methods.UnionWith(routeMethods);
            }
        }

        return [.. methods];
    }
}
