using System.Globalization;

namespace Bamboo.Cli.Commands;

/// <summary>
/// A point in time given on the command line: ISO 8601 (UTC unless it names an offset: <c>2026-12-03</c>,
/// <c>2026-12-03T08:00</c>, <c>2026-12-03T08:00+08:00</c>), or an age counted back from now (<c>90s</c>, <c>30m</c>,
/// <c>2h</c>, <c>7d</c>).
/// </summary>
internal static class TimeArgument
{
    public const string Forms = "ISO 8601 (2026-12-03T08:00, UTC unless it says) or an age (30m, 2h, 7d)";

    public static bool TryParse(string text, DateTimeOffset now, out DateTimeOffset value)
    {
        value = default;
        var trimmed = text.Trim();
        if (trimmed.Length >= 2 && Unit(trimmed[^1]) is { } unit
            && long.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count))
        {
            try
            {
                value = now - unit * count;
                return true;
            }
            catch (Exception ex) when (ex is OverflowException or ArgumentOutOfRangeException)
            {
                return false;
            }
        }

        if (DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    private static TimeSpan? Unit(char suffix) => suffix switch
    {
        's' => TimeSpan.FromSeconds(1),
        'm' => TimeSpan.FromMinutes(1),
        'h' => TimeSpan.FromHours(1),
        'd' => TimeSpan.FromDays(1),
        _ => null,
    };

    /// <summary>The time as the next-page hint passes it on: absolute, so every page has the same window.</summary>
    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
