using System.Globalization;

namespace Bamboo.Server.Endpoints;

/// <summary>
/// Query values parsed by hand rather than bound by the framework, so a bad one is answered with problem details
/// that name the parameter and say what it must be.
/// </summary>
internal static class QueryValue
{
    public static bool TryInt(string? text, int fallback, int min, int max, out int value)
    {
        value = fallback;
        return text is null || (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value) && value >= min && value <= max);
    }

    public static bool TryBool(string? text, bool fallback, out bool value)
    {
        value = fallback;
        return text is null || bool.TryParse(text, out value);
    }

    /// <summary>An ISO 8601 time; without an offset it is UTC.</summary>
    public static bool TryTime(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }
}
