namespace Bamboo.Engine.Expressions;

/// <summary>An insertion-ordered Python dict.</summary>
internal sealed class PyDict
{
    private readonly Dictionary<object, object?> _map = new(PyKeyComparer.Instance);
    private readonly List<object> _order = [];

    public int Count => _order.Count;

    public IEnumerable<object> Keys => _order;

    public IEnumerable<KeyValuePair<object, object?>> Items => _order.Select(k => new KeyValuePair<object, object?>(k, _map[k]));

    public object? this[object key]
    {
        get => _map[key];
        set
        {
            if (!_map.ContainsKey(key))
            {
                _order.Add(key);
            }

            _map[key] = value;
        }
    }

    public bool TryGetValue(object key, out object? value) => _map.TryGetValue(key, out value);

    public bool ContainsKey(object key) => _map.ContainsKey(key);
}
