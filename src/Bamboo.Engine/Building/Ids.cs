namespace Bamboo.Engine.Building;

/// <summary>Builder ids: a one-letter prefix and 32 hex digits, 33 characters as bamboo's runtime expects.</summary>
internal static class Ids
{
    public static string New(char prefix) => prefix + Guid.NewGuid().ToString("N");
}
