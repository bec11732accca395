using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;
using Bamboo.Runtime.Sqlite;
using Bamboo.Runtime.Tests.Workers;

namespace Bamboo.Runtime.Tests.Chaos;

/// <summary>A fresh database for one chaos run; each <see cref="OpenAsync"/> is a new store on it, as a new process would open.</summary>
internal abstract class ChaosDatabase : IAsyncDisposable
{
    public abstract Task<IEngineStore> OpenAsync();

    public abstract ValueTask DisposeAsync();

    public static async Task<ChaosDatabase?> CreateAsync(string dialect) => dialect switch
    {
        "sqlite" => new Sqlite(),
        _ => await PostgresScratch.CreateAsync() is { } scratch ? new Postgres(scratch) : null,
    };

    private sealed class Sqlite : ChaosDatabase
    {
        private readonly TempDatabase _file = new("chaos");
        private readonly List<SqliteStore> _stores = [];

        public override Task<IEngineStore> OpenAsync()
        {
            var store = new SqliteStore(new SqliteStoreOptions { DatabasePath = _file.Path, WakeLimit = 1 });
            _stores.Add(store);
            return Task.FromResult<IEngineStore>(store);
        }

        public override async ValueTask DisposeAsync()
        {
            foreach (var store in _stores)
            {
                await store.DisposeAsync();
            }

            _file.Dispose();
        }
    }

    private sealed class Postgres(PostgresScratch scratch) : ChaosDatabase
    {
        private readonly List<PostgresStore> _stores = [];

        public override async Task<IEngineStore> OpenAsync()
        {
            var store = await PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = scratch.Connection, MaxConnections = 4 });
            _stores.Add(store);
            return store;
        }

        public override async ValueTask DisposeAsync()
        {
            foreach (var store in _stores)
            {
                await store.DisposeAsync();
            }

            await scratch.DisposeAsync();
        }
    }
}
