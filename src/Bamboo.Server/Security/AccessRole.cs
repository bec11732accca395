namespace Bamboo.Server.Security;

/// <summary>The two roles a token carries, and the authorization policies named after them.</summary>
internal static class AccessRole
{
    /// <summary>GET routes and the event stream.</summary>
    public const string Reader = "reader";

    /// <summary>Everything, the Engine API's control functions included.</summary>
    public const string Operator = "operator";
}
