namespace Bamboo.Engine.Execution;

/// <summary>State versions: "v" + 32 lowercase hex characters, one per execution attempt.</summary>
internal static class Versions
{
    /// <summary>
    /// 126 random bits (two non-negative longs). A version only has to be unique, not unguessable, so it comes from
    /// the seeded per-thread generator rather than the OS's secure one (Guid.NewGuid), a system call on every step.
    /// </summary>
    public static string New() =>
        string.Create(33, (Random.Shared.NextInt64(), Random.Shared.NextInt64()), static (span, bits) =>
        {
            span[0] = 'v';
            bits.Item1.TryFormat(span[1..17], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
            bits.Item2.TryFormat(span[17..], out _, "x16", System.Globalization.CultureInfo.InvariantCulture);
        });
}
