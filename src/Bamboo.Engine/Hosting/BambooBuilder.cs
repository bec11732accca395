using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Bamboo.Engine.Hosting;

/// <summary>Configures Bamboo in a service collection: <c>AddBambooEngine().UseSqlite(...).AddComponent&lt;T&gt;(...)</c>.</summary>
public sealed class BambooBuilder(IServiceCollection services, ComponentRegistry registry)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>The registry the engine resolves components, lazy variables and end events from.</summary>
    public ComponentRegistry Registry { get; } = registry;

    /// <summary>Registers a component; a fresh instance (with constructor injection) serves every call.</summary>
    public BambooBuilder AddComponent<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>(string code, string version = ComponentRegistry.DefaultVersion)
        where T : Service
    {
        Services.AddTransient<T>();
        Registry.AddComponent(code, () => ServiceProvider!.GetRequiredService<T>(), version);
        return this;
    }

    /// <summary>Registers a component by its <see cref="ComponentAttribute"/> (code and version).</summary>
    public BambooBuilder AddComponent<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] T>()
        where T : Service
    {
        var mark = typeof(T).GetCustomAttributes(typeof(ComponentAttribute), inherit: false).OfType<ComponentAttribute>().FirstOrDefault()
            ?? throw new InvalidOperationException($"{typeof(T).FullName} has no [Component(\"code\")]: mark it, or give the code: AddComponent<{typeof(T).Name}>(\"code\")");
        return AddComponent<T>(mark.Code, mark.Version);
    }

    /// <summary>
    /// Registers every [Component]-marked service, lazy variable and executable end event of <paramref name="assembly"/>
    /// (as <c>--components FILE.dll</c> does), each created through the container (constructor injection).
    /// </summary>
    [RequiresUnreferencedCode(PluginLoader.NeedsReflection)]
    public BambooBuilder AddComponentsFrom(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        foreach (var (type, mark) in PluginLoader.MarkedTypes(assembly))
        {
            Services.TryAddTransient(type);
            Registry.Register(type, mark, () => Create(type));
        }

        return this;
    }

    /// <summary>
    /// No workers in this process: it starts, reads and steers runs, and worker processes on the same store run them
    /// (a front end, an API). By default <c>AddBambooEngine()</c> runs workers as a hosted service.
    /// </summary>
    public BambooBuilder WithoutWorkers()
    {
        foreach (var hosted in Services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(BambooWorkerService)).ToList())
        {
            Services.Remove(hosted);
        }

        return this;
    }

    private object Create(Type type) => ServiceProvider!.GetRequiredService(type);

    public BambooBuilder AddVariable(string code, Func<ILazyVariable> factory)
    {
        Registry.AddVariable(code, factory);
        return this;
    }

    public BambooBuilder AddEndEvent(string code, Func<IExecutableEndEvent> factory)
    {
        Registry.AddEndEvent(code, factory);
        return this;
    }

    /// <summary>Adds the test component kit of bamboo's end-to-end scenarios (and the example components).</summary>
    public BambooBuilder AddTestkit()
    {
        Registry.AddTestkit();
        return this;
    }

    /// <summary>Set when the container is built, so components can be created through it.</summary>
    internal IServiceProvider? ServiceProvider { get; set; }
}
