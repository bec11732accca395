namespace Bamboo.Engine.Expressions;

/// <summary>Stands in for None where a non-null key is needed (dict and set keys).</summary>
internal sealed class PyNone
{
    public static readonly PyNone Value = new();

    private PyNone() { }
}
