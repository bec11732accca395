using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.DependencyInjection.Extensions;

#pragma warning disable IDE0130 // DI extensions live in the DI namespace so they are found without a using.
namespace Microsoft.Extensions.DependencyInjection;
#pragma warning restore IDE0130

/// <summary>Chooses the embedded SQLite store.</summary>
public static class SqliteBambooBuilderExtensions
{
    public static Bamboo.Engine.Hosting.BambooBuilder UseSqlite(this Bamboo.Engine.Hosting.BambooBuilder builder, string databasePath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(databasePath);
        builder.Services.TryAddSingleton(sp => new SqliteStoreOptions
        {
            DatabasePath = databasePath,
            WakeLimit = sp.GetRequiredService<EngineOptions>().WorkerCount,
        });
        builder.Services.TryAddSingleton<IEngineStore>(sp => new SqliteStore(sp.GetRequiredService<SqliteStoreOptions>(), sp.GetRequiredService<TimeProvider>()));
        return builder;
    }
}
