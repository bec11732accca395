using System.Text.Json.Nodes;

namespace Bamboo.Engine.Building;

/// <summary>
/// A node of a pipeline under construction, with bamboo's connection vocabulary:
/// <c>a.Extend(b)</c> adds a→b and returns b; <c>a.Connect(b, c)</c> adds a→b, a→c and returns a;
/// <c>a.Converge(x)</c> joins the tail of every branch of a into x and returns x; <c>a.To(b)</c> returns b.
/// </summary>
public abstract class Element
{
    private readonly List<Element> _outgoing = [];

    protected Element(string? id, string? name)
    {
        Id = id ?? Ids.New('e');
        Name = name;
    }

    public string Id { get; }

    public string? Name { get; }

    public IReadOnlyList<Element> Outgoing => _outgoing;

    /// <summary>The node type written into the tree.</summary>
    public abstract string Type { get; }

    public T Extend<T>(T next)
        where T : Element
    {
        ArgumentNullException.ThrowIfNull(next);
        _outgoing.Add(next);
        return next;
    }

    public Element Connect(params Element[] targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        _outgoing.AddRange(targets);
        return this;
    }

    public T Converge<T>(T target)
        where T : Element
    {
        foreach (var branch in _outgoing)
        {
            branch.Tail().Extend(target);
        }

        return target;
    }

#pragma warning disable CA1822 // Instance method on purpose: it reads as part of a call chain (a.To(b)).
    public T To<T>(T element)
        where T : Element => element;
#pragma warning restore CA1822

    /// <summary>Follows the first outgoing edge until an element without one.</summary>
    public Element Tail()
    {
        var current = this;
        var seen = new HashSet<Element>();
        while (current._outgoing.Count > 0 && seen.Add(current))
        {
            current = current._outgoing[0];
        }

        return current;
    }

    /// <summary>Writes the node; <paramref name="flows"/> are the flow ids of <see cref="Outgoing"/>, in order.</summary>
    internal abstract JsonObject ToJson(IReadOnlyList<string> incoming, IReadOnlyList<string> flows);

    internal static JsonArray Strings(IEnumerable<string> items) => new(items.Select(i => (JsonNode)i).ToArray());
}
