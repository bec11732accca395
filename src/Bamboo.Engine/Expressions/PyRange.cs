namespace Bamboo.Engine.Expressions;

/// <summary>A Python range object (materialised only when iterated).</summary>
internal sealed record PyRange(long Start, long Stop, long Step)
{
    public long Count => Step > 0
        ? Math.Max(0, (Stop - Start + Step - 1) / Step)
        : Math.Max(0, (Start - Stop - Step - 1) / -Step);

    public IEnumerable<object?> Items()
    {
        for (long i = 0, v = Start; i < Count; i++, v += Step)
        {
            yield return v;
        }
    }
}
