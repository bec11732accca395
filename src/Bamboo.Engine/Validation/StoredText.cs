namespace Bamboo.Engine.Validation;

/// <summary>
/// Text the store keeps in columns of its own (ids, names, component codes, context keys) may hold any character but
/// U+0000: PostgreSQL's text type cannot store it, so a run that SQLite would take would fail on PostgreSQL halfway
/// through storing it. Refusing it up front gives one answer on every store.
/// </summary>
public static class StoredText
{
    /// <summary>Whether <paramref name="text"/> can be kept as it is by every store.</summary>
    public static bool IsStorable(string? text) => text is null || !text.Contains('\0', StringComparison.Ordinal);

    /// <summary>Why <paramref name="what"/> cannot be stored, for an error message.</summary>
    public static string Problem(string what) => $"{what} contains the character U+0000 (NUL), which no store can keep in an id, name or key";
}
