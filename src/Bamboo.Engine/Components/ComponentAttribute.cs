namespace Bamboo.Engine.Components;

/// <summary>Marks a <see cref="Service"/> (or lazy variable, or end event) for loading from a plugin assembly by code.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true)]
public sealed class ComponentAttribute(string code, string version = ComponentRegistry.DefaultVersion) : Attribute
{
    public string Code { get; } = code;

    public string Version { get; } = version;
}
