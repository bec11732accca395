using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Microsoft.Extensions.DependencyInjection;

namespace Bamboo.Engine.Hosting;

/// <summary>Configures Bamboo in a service collection: <c>AddBambooEngine().UseSqlite(...).AddComponent&lt;T&gt;(...)</c>.</summary>
public sealed class BambooBuilder(IServiceCollection services, ComponentRegistry registry)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>The registry the engine resolves components, lazy variables and end events from.</summary>
    public ComponentRegistry Registry { get; } = registry;

    /// <summary>Registers a component; a fresh instance (with constructor injection) serves every call.</summary>
    public BambooBuilder AddComponent<T>(string code, string version = ComponentRegistry.DefaultVersion)
        where T : Service
    {
        Services.AddTransient<T>();
        Registry.AddComponent(code, () => ServiceProvider!.GetRequiredService<T>(), version);
        return this;
    }

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
