using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Components;

/// <summary>
/// Registers the [Component]-marked types of a plugin assembly: services by code and version, lazy variables and
/// executable end events by code. Used by the CLI and the server for <c>--components FILE.dll</c>.
/// </summary>
public static class PluginLoader
{
    /// <summary>Why plugins need the JIT: they are assemblies loaded and read at run time.</summary>
    internal const string NeedsReflection = "Loads component assemblies at run time and creates their types by reflection; a native (AOT) build cannot.";

    [RequiresUnreferencedCode(NeedsReflection)]
    public static IReadOnlyList<string> AddFromAssembly(this ComponentRegistry registry, string assemblyPath)
    {
        ArgumentNullException.ThrowIfNull(registry);
        Assembly assembly;
        try
        {
            assembly = Assembly.LoadFrom(Path.GetFullPath(assemblyPath));
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or ArgumentException)
        {
            // ArgumentException: an empty or malformed path.
            throw new BambooException($"cannot load components from '{assemblyPath}': {ex.Message}", ex);
        }

        return registry.AddFrom(assembly, assemblyPath);
    }

    /// <summary>Registers the marked types of a loaded assembly; <paramref name="assemblyPath"/> names it in errors.</summary>
    [RequiresUnreferencedCode(NeedsReflection)]
    internal static IReadOnlyList<string> AddFrom(this ComponentRegistry registry, Assembly assembly, string assemblyPath)
    {
        List<(Type Type, ComponentAttribute Mark)> marked;
        try
        {
            marked = [.. MarkedTypes(assembly)];
        }
        catch (Exception ex) when (ex is IOException or BadImageFormatException or ReflectionTypeLoadException or TypeLoadException)
        {
            // Its types need an assembly that is not beside it (a dependency left behind when the DLL was copied).
            throw new BambooException($"cannot load components from '{assemblyPath}': {ex.Message}", ex);
        }

        var added = new List<string>();
        foreach (var (type, mark) in marked)
        {
            if (type.GetConstructor(Type.EmptyTypes) is null)
            {
                throw new BambooException($"{type.FullName} (component {mark.Code}) needs a public parameterless constructor");
            }

            registry.Register(type, mark, () => Activator.CreateInstance(type)!);
            added.Add(mark.Code);
        }

        return added;
    }

    /// <summary>
    /// Registers a marked type by what it is (a service by code and version, a lazy variable or an executable end event
    /// by code); <paramref name="create"/> makes an instance for each use.
    /// </summary>
    internal static void Register(this ComponentRegistry registry, Type type, ComponentAttribute mark, Func<object> create)
    {
        if (typeof(Service).IsAssignableFrom(type))
        {
            registry.AddComponent(mark.Code, () => (Service)create(), mark.Version);
        }
        else if (typeof(ILazyVariable).IsAssignableFrom(type))
        {
            registry.AddVariable(mark.Code, () => (ILazyVariable)create());
        }
        else
        {
            registry.AddEndEvent(mark.Code, () => (IExecutableEndEvent)create());
        }
    }

    /// <summary>
    /// The exported classes of <paramref name="assembly"/> with each [Component] mark they carry; a marked type that is
    /// not a Service, ILazyVariable or IExecutableEndEvent is an error naming it.
    /// </summary>
    [RequiresUnreferencedCode(NeedsReflection)]
    public static IEnumerable<(Type Type, ComponentAttribute Mark)> MarkedTypes(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        foreach (var type in assembly.GetExportedTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            foreach (var mark in type.GetCustomAttributes<ComponentAttribute>())
            {
                if (!typeof(Service).IsAssignableFrom(type) && !typeof(ILazyVariable).IsAssignableFrom(type) && !typeof(IExecutableEndEvent).IsAssignableFrom(type))
                {
                    throw new BambooException($"{type.FullName} is marked [Component(\"{mark.Code}\")] but is not a Service, ILazyVariable or IExecutableEndEvent");
                }

                yield return (type, mark);
            }
        }
    }
}
