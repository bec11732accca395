using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;
using Microsoft.Extensions.DependencyInjection.Extensions;

#pragma warning disable IDE0130 // DI extensions live in the DI namespace so they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Chooses the shared PostgreSQL store.</summary>
public static class PostgresBambooBuilderExtensions
{
    public static Bamboo.Engine.Hosting.BambooBuilder UsePostgres(this Bamboo.Engine.Hosting.BambooBuilder builder, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        builder.Services.TryAddSingleton(sp => new PostgresStoreOptions
        {
            ConnectionString = connectionString,
            WakeLimit = sp.GetRequiredService<EngineOptions>().WorkerCount,
        });
        // Opening migrates the schema; a container builds singletons synchronously, so this is its one blocking wait.
        builder.Services.TryAddSingleton<IEngineStore>(sp =>
            PostgresStore.OpenAsync(sp.GetRequiredService<PostgresStoreOptions>(), sp.GetRequiredService<TimeProvider>()).GetAwaiter().GetResult());
        return builder;
    }
}
