using System.Security.Cryptography;
using System.Text;

namespace Bamboo.Server.Security;

/// <summary>
/// The configured tokens, kept only as SHA-256 digests. A presented token is hashed and compared with every digest in
/// constant time (<see cref="CryptographicOperations.FixedTimeEquals"/>), without stopping at a match: neither its
/// length nor which token it resembles shows in the time taken.
/// </summary>
internal sealed class AccessTokens
{
    private readonly (byte[] Digest, string Role)[] _tokens;

    public AccessTokens(IEnumerable<string> entries)
    {
        _tokens = [.. entries.Select(Parse).Select(t => (SHA256.HashData(Encoding.UTF8.GetBytes(t.Token)), t.Role))];
    }

    /// <summary>True when no token is configured: the server is open to anyone who can reach it (loopback only).</summary>
    public bool Anonymous => _tokens.Length == 0;

    /// <summary>The role of <paramref name="token"/>, or null when it is none of the configured tokens.</summary>
    public string? RoleOf(string token)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(token));
        string? role = null;
        foreach (var (known, knownRole) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, known))
            {
                role = knownRole;
            }
        }

        return role;
    }

    /// <summary>Why a <c>ROLE:TOKEN</c> entry is unusable, or null when it is fine; never repeats the token.</summary>
    public static string? Problem(string? entry)
    {
        var colon = entry?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (colon < 0)
        {
            return "must be ROLE:TOKEN, ROLE being reader or operator";
        }

        var role = entry![..colon];
        if (role is not (AccessRole.Reader or AccessRole.Operator))
        {
            return $"role '{role}' is neither reader nor operator";
        }

        return entry.Length - colon - 1 < 16 ? "the token must be at least 16 characters" : null;
    }

    private static (string Role, string Token) Parse(string entry)
    {
        var colon = entry.IndexOf(':', StringComparison.Ordinal);
        return (entry[..colon], entry[(colon + 1)..]);
    }
}
