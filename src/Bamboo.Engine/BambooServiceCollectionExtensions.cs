using Bamboo.Engine;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Hosting;
using Bamboo.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

#pragma warning disable IDE0130 // DI extensions live in the DI namespace so they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Registers the Bamboo engine, its client and in-process workers; choose a store with <c>UseSqlite</c> or <c>UsePostgres</c>.</summary>
public static class BambooServiceCollectionExtensions
{
    public static BambooBuilder AddBambooEngine(this IServiceCollection services, Action<EngineOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(BambooBuilder))?.ImplementationInstance as BambooBuilder;
        var builder = existing ?? new BambooBuilder(services, new ComponentRegistry());
        var options = services.FirstOrDefault(d => d.ServiceType == typeof(EngineOptions))?.ImplementationInstance as EngineOptions ?? new EngineOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(builder);
        services.TryAddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAdd(ServiceDescriptor.Singleton(typeof(ILogger<>), typeof(NullLogger<>)));
        services.TryAddSingleton(sp =>
        {
            builder.ServiceProvider = sp;
            return builder.Registry;
        });
        services.TryAddSingleton(sp => new BambooEngine(
            sp.GetService<IEngineStore>() ?? throw new InvalidOperationException("Bamboo has no store: call UseSqlite(path) or UsePostgres(connectionString) on AddBambooEngine()"),
            sp.GetRequiredService<ComponentRegistry>(), sp.GetRequiredService<EngineOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<PipelineEngine>();
        services.TryAddSingleton<Bamboo.Engine.Client.BambooClient>();
        services.TryAddSingleton<EngineWorker>();
        services.AddHostedService<BambooWorkerService>();
        return builder;
    }
}
