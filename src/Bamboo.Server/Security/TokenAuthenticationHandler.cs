using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bamboo.Server.Security;

/// <summary>
/// <c>Authorization: Bearer TOKEN</c> against the configured tokens; with none configured every caller is an operator
/// (the server then listens on loopback only). Refusals are problem details: 401 without a valid token, 403 when the
/// token's role does not allow the route. Tokens are never logged.
/// </summary>
internal sealed class TokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, AccessTokens tokens, IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    private const string Prefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (tokens.Anonymous)
        {
            return Task.FromResult(Success("anonymous", AccessRole.Operator));
        }

        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var role = tokens.RoleOf(header[Prefix.Length..].Trim());
        return Task.FromResult(role is null ? AuthenticateResult.Fail("the token is not one this server knows") : Success(role, role));
    }

    private static AuthenticateResult Success(string name, string role)
    {
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = SchemeName;
        var result = await HandleAuthenticateOnceSafeAsync();
        var detail = result.Failure is null ? "send Authorization: Bearer TOKEN" : "the token is not one this server knows";
        await ServerProblems.WriteAsync(problems, Context, StatusCodes.Status401Unauthorized, detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        return ServerProblems.WriteAsync(problems, Context, StatusCodes.Status403Forbidden, "this route needs an operator token");
    }
}
