using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Bamboo.Server.Endpoints;

/// <summary>
/// A route constraint for the page's fallback: the path is not under <c>/api</c> or <c>/openapi</c>. There the API's
/// own answers stand: 405 for a route of another method, 415 for a body it cannot take, 404 for no route.
/// </summary>
internal sealed class PagePath : IRouteConstraint
{
    public const string Name = "pagepath";

    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection)
    {
        var path = values.TryGetValue(routeKey, out var value) ? value as string ?? "" : "";
        return !(IsUnder(path, "api") || IsUnder(path, "openapi"));
    }

    private static bool IsUnder(string path, string segment) =>
        path.StartsWith(segment, StringComparison.OrdinalIgnoreCase) && (path.Length == segment.Length || path[segment.Length] == '/');
}
