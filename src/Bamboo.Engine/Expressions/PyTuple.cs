namespace Bamboo.Engine.Expressions;

/// <summary>An immutable Python tuple.</summary>
internal sealed class PyTuple(IReadOnlyList<object?> items)
{
    public IReadOnlyList<object?> Items { get; } = items;

    public override bool Equals(object? obj) => obj is PyTuple t && PyOps.SequenceEqual(Items, t.Items);

    public override int GetHashCode() => Items.Count;
}
