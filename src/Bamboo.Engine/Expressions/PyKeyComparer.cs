namespace Bamboo.Engine.Expressions;

/// <summary>Python key equality for dicts and sets: 1, 1.0 and True are the same key.</summary>
internal sealed class PyKeyComparer : IEqualityComparer<object>
{
    public static readonly PyKeyComparer Instance = new();

    public new bool Equals(object? x, object? y) => PyOps.PyEquals(x, y);

    public int GetHashCode(object obj) => obj switch
    {
        bool b => b ? 1 : 0,
        long l => l.GetHashCode(),
        double d when d == Math.Floor(d) && Math.Abs(d) < 9e18 => ((long)d).GetHashCode(),
        double d => d.GetHashCode(),
        string s => StringComparer.Ordinal.GetHashCode(s),
        // A tuple hashes its items: hashing only its length put every pair of a set in one bucket (quadratic).
        PyTuple t => t.Items.Aggregate(t.Items.Count, (h, item) => HashCode.Combine(h, item is null ? 0 : GetHashCode(item))),
        List<object?> or PyDict or PySet => throw new Exceptions.ExpressionException($"unhashable type: '{PyOps.TypeName(obj)}'"),
        _ => obj.GetHashCode(),
    };
}
