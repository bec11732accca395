namespace Bamboo.Engine.Execution;

/// <summary>State versions: "v" + 32 lowercase hex characters, one per execution attempt.</summary>
internal static class Versions
{
    public static string New() => "v" + Guid.NewGuid().ToString("N");
}
