using System.Net;
using Bamboo.Server.Security;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Bamboo.Server;

/// <summary>
/// Startup checks of <see cref="BambooServerOptions"/>: each token is ROLE:TOKEN, and a server without tokens listens on
/// loopback only, since anyone who reaches it could then revoke every run.
/// </summary>
internal sealed class BambooServerOptionsValidator(IConfiguration configuration) : IValidateOptions<BambooServerOptions>
{
    public ValidateOptionsResult Validate(string? name, BambooServerOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.Tokens.Count; i++)
        {
            if (AccessTokens.Problem(options.Tokens[i]) is { } problem)
            {
                // The entry is named by its position: it may be a real token with a typo.
                failures.Add($"token #{i + 1}: {problem}");
            }
        }

        if (options.Tokens.Count == 0 && Addresses(configuration).FirstOrDefault(a => !IsLoopback(a)) is { } open)
        {
            failures.Add($"{open} is reachable from other machines, and no token is set: add --token operator:TOKEN (or Bamboo:Server:Tokens), or listen on 127.0.0.1");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>Every address the server is configured to listen on: <c>urls</c> and Kestrel's endpoints.</summary>
    public static IEnumerable<string> Addresses(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        foreach (var url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            yield return url;
        }

        foreach (var endpoint in configuration.GetSection("Kestrel:Endpoints").GetChildren())
        {
            if (endpoint["Url"] is { Length: > 0 } url)
            {
                yield return url;
            }
        }
    }

    /// <summary>True for localhost, 127.0.0.0/8 and ::1; false for wildcards (*, +, 0.0.0.0, [::]) and every other host.</summary>
    public static bool IsLoopback(string url)
    {
        var rest = url.Contains("://", StringComparison.Ordinal) ? url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..] : url;
        var host = rest.StartsWith('[') ? rest[1..Math.Max(1, rest.IndexOf(']', StringComparison.Ordinal))]
            : rest.Split(':', '/')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip));
    }
}
