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

        foreach (var address in Addresses(configuration))
        {
            if (Malformed(address) is { } problem)
            {
                // Kestrel would listen on every address, port 80, for an address it cannot read.
                failures.Add($"{address}: {problem}");
            }
        }

        // Only addresses that are addresses: a malformed one is refused above, once.
        if (options.Tokens.Count == 0 && Addresses(configuration).FirstOrDefault(a => Malformed(a) is null && !IsLoopback(a)) is { } open)
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

    /// <summary>
    /// Why Kestrel could not read <paramref name="url"/> as an address to listen on (null when it can): http or https,
    /// a host (a name, an IP address, [IPv6], * or +), and a port from 0 to 65535 when a colon follows the host.
    /// </summary>
    public static string? Malformed(string url)
    {
        const string Shape = "not an address to listen on: use http://HOST:PORT or https://HOST:PORT, with a port from 0 to 65535";
        var separator = url.IndexOf("://", StringComparison.Ordinal);
        if (separator < 0 || url[..separator].ToLowerInvariant() is not ("http" or "https"))
        {
            return Shape;
        }

        var rest = url[(separator + 3)..];
        var hostEnd = rest.StartsWith('[') ? rest.IndexOf(']', StringComparison.Ordinal) + 1 : rest.IndexOfAny([':', '/']);
        if (hostEnd == 0 || (hostEnd < 0 && rest.StartsWith('[')))
        {
            return Shape;
        }

        var host = hostEnd < 0 ? rest : rest[..hostEnd];
        var afterHost = hostEnd < 0 ? "" : rest[hostEnd..];
        if (host.Length == 0 || host.Any(c => char.IsWhiteSpace(c) || c is '@' or '?' or '#'))
        {
            return Shape;
        }

        if (afterHost.StartsWith(':'))
        {
            var port = afterHost[1..].Split('/')[0];
            if (port.Length is 0 or > 5 || !port.All(char.IsAsciiDigit) || int.Parse(port, System.Globalization.CultureInfo.InvariantCulture) > 65535)
            {
                return Shape;
            }
        }
        else if (afterHost.Length > 0 && !afterHost.StartsWith('/'))
        {
            return Shape;
        }

        return null;
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
