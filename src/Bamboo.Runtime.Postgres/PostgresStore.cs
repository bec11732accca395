using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Relational;
using Npgsql;

namespace Bamboo.Runtime.Postgres;

/// <summary>
/// The shared store: one PostgreSQL database that any number of worker processes on any number of hosts use at once.
/// Each transaction takes a pooled connection (at most <see cref="PostgresStoreOptions.MaxConnections"/>); claims skip
/// rows other workers are claiming; due times are on the database's clock; commits that make tasks due notify the
/// other processes (LISTEN/NOTIFY), with a slow poll as a safety net.
/// </summary>
public sealed class PostgresStore : IEngineStore, IAsyncDisposable
{
    private const string Channel = "bamboo_work";
    private static readonly TimeSpan ListenRetry = TimeSpan.FromSeconds(1);

    private readonly NpgsqlDataSource _dataSource;
    private readonly RelationalStoreAdapter _relational;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _work;
    private readonly int _wakeLimit;
    private readonly CancellationTokenSource _stop = new();
    private Task? _listening;

    private PostgresStore(NpgsqlDataSource dataSource, PostgresStoreOptions options, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
        _wakeLimit = Math.Max(1, options.WakeLimit);
        _work = new SemaphoreSlim(0, _wakeLimit);
        _relational = new RelationalStoreAdapter(this);
    }

    /// <summary>Opens the store: brings the schema up to date and starts listening for work.</summary>
    public static async Task<PostgresStore> OpenAsync(PostgresStoreOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            MaxPoolSize = Math.Max(2, options.MaxConnections + 1),
        };
        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        try
        {
            await PostgresSchema.ApplyAsync(dataSource, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var store = new PostgresStore(dataSource, options, time ?? TimeProvider.System);
        store._listening = store.ListenAsync(store._stop.Token);
        return store;
    }

    public IWorkerRegistry Workers => _relational.Workers;

    public Task<T> WriteAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default) =>
        _relational.WriteAsync(work, cancellationToken);

    public Task<T> ReadAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default) =>
        _relational.ReadAsync(work, cancellationToken);

    public Task<TimeSpan?> NextDueInAsync(WorkFilter filter, CancellationToken cancellationToken = default) =>
        _relational.NextDueInAsync(filter, cancellationToken);

    private async Task<T> RunAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, bool write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        var session = new PostgresSession(connection);
        await using var sessionLifetime = session.ConfigureAwait(false);
        using var tx = new RelationalTransaction(session, PostgresDialect.Instance, _time);
        await session.BeginAsync(cancellationToken).ConfigureAwait(false);
        tx.Begin();
        try
        {
            var result = await tx.RunAsync(t => work((RelationalTransaction)t)).ConfigureAwait(false);
            if (!write)
            {
                await session.RollbackAsync().ConfigureAwait(false);
                return result;
            }

            if (tx.EnqueuedCount > 0)
            {
                // Delivered to every listening process when this transaction commits, not before.
                await session.ExecuteAsync("SELECT pg_notify('" + Channel + "', '')").ConfigureAwait(false);
            }

            await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
            if (tx.EnqueuedCount > 0)
            {
                WakeLoops(tx.EnqueuedCount);
            }

            return result;
        }
        catch
        {
            await session.RollbackAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Listens for commits of other processes that made tasks due; reconnects after a lost connection.</summary>
    private async Task ListenAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var connectionLifetime = connection.ConfigureAwait(false);
                connection.Notification += (_, _) => WakeLoops(_wakeLimit);
                var listen = new NpgsqlCommand("LISTEN " + Channel, connection);
                await using (listen.ConfigureAwait(false))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException)
            {
                // The workers poll meanwhile; listen again once the server answers.
                await Task.Delay(ListenRetry, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var timer = new CancellationTokenSource(timeout, _time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(timer.Token, cancellationToken);
        try
        {
            await _work.WaitAsync(either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The slow poll: a notification may have been lost with a connection.
        }
    }

    private void WakeLoops(int tasks)
    {
        var wake = Math.Min(tasks, _wakeLimit - _work.CurrentCount);
        if (wake <= 0)
        {
            return;
        }

        try
        {
            _work.Release(wake);
        }
        catch (SemaphoreFullException)
        {
            // Enough wake-ups are pending already.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_listening is not null)
        {
            try
            {
                await _listening.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
        _work.Dispose();
    }

    /// <summary>The relational layer's view of this store.</summary>
    private sealed class RelationalStoreAdapter(PostgresStore store) : RelationalStore
    {
        internal override Task<T> WriteSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken) =>
            store.RunAsync(work, write: true, cancellationToken);

        internal override Task<T> ReadSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken) =>
            store.RunAsync(work, write: false, cancellationToken);

        public override Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            store.WaitForWorkAsync(timeout, cancellationToken);
    }
}
