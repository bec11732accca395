namespace Bamboo.Engine.Expressions;

/// <summary>An insertion-ordered Python set.</summary>
internal sealed class PySet
{
    private readonly HashSet<object> _set = new(PyKeyComparer.Instance);
    private readonly List<object> _order = [];

    public int Count => _order.Count;

    public IEnumerable<object> Items => _order;

    public void Add(object? item)
    {
        var key = item ?? PyNone.Value;
        if (_set.Add(key))
        {
            _order.Add(key);
        }
    }

    public bool Contains(object? item) => _set.Contains(item ?? PyNone.Value);
}
