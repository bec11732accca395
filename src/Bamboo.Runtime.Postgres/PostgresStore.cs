using System.Globalization;
using Bamboo.Engine.Exceptions;
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
public sealed partial class PostgresStore : IEngineStore, IAsyncDisposable
{
    // PostgreSQL has one set of channels per database: a store in another schema of it must not wake this one's loops.
    private readonly string _channel;
    private static readonly TimeSpan ListenRetry = TimeSpan.FromSeconds(1);

    // One wait for notifications. Npgsql's wait does not always end when its token is cancelled (npgsql#5975; here a
    // store closed right after it opened waited on its listener forever), so the wait takes no token and the loop looks
    // at the token between waits: closing the store takes at most this long. A wait that times out costs no round trip.
    private static readonly TimeSpan ListenWait = TimeSpan.FromMilliseconds(100);

    private readonly NpgsqlDataSource _dataSource;
    private readonly RelationalStoreAdapter _relational;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _work;
    private readonly SemaphoreSlim _lanes;
    private volatile bool _disposed;
    private readonly int _wakeLimit;
    private readonly bool _processClock;
    private readonly DatabaseClock _databaseClock = new(TimeProvider.System, DatabaseClock.DefaultRefresh);
    private readonly RoundTripCounter _roundTrips = new();

    // Names this store in its notifications, so that it does not wake its loops twice for one commit.
    private readonly string _id = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _listened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task? _listening;

    private PostgresStore(NpgsqlDataSource dataSource, PostgresStoreOptions options, TimeProvider time)
    {
        _dataSource = dataSource;
        _time = time;
        _wakeLimit = Math.Max(1, options.WakeLimit);
        _channel = ChannelOf(new NpgsqlConnectionStringBuilder(options.ConnectionString).SearchPath);
        _processClock = options.ProcessClock;
        _work = new SemaphoreSlim(0, _wakeLimit);
        var lanes = Math.Clamp(options.WriteTransactions, 1, Math.Max(1, options.MaxConnections));
        _lanes = new SemaphoreSlim(lanes, lanes);
        _relational = new RelationalStoreAdapter(this);
    }

    /// <summary>Opens the store: brings the schema up to date and starts listening for work.</summary>
    public static async Task<PostgresStore> OpenAsync(PostgresStoreOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var given = ParseConnectionString(options.ConnectionString);
        var builder = new NpgsqlConnectionStringBuilder(given.ConnectionString)
        {
            MaxPoolSize = Math.Max(2, options.MaxConnections + 1),
            // The stores run a few dozen distinct statements over and over: prepared once per connection, the server
            // neither parses nor plans them again. A connection back in the pool keeps them (no DISCARD ALL).
            MaxAutoPrepare = Math.Max(given.MaxAutoPrepare, 128),
            AutoPrepareMinUsages = 2,
            NoResetOnClose = true,
        };
        var where = $"PostgreSQL database {given.Database ?? given.Username} on {given.Host}"
            + (PostgresSchema.FirstSchema(given.SearchPath) is { } schema ? $", schema {schema}" : "");
        var dataSource = new NpgsqlDataSourceBuilder(builder.ConnectionString).Build();
        try
        {
            await PostgresSchema.ApplyAsync(dataSource, options.ReadOnly, where, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var store = new PostgresStore(dataSource, options, time ?? TimeProvider.System);
        store._listening = store.ListenAsync(store._stop.Token);
        try
        {
            // Open once listening: a commit another process makes after this returns wakes this store's loops. Not
            // longer than the first attempt: while the server refuses, the loops poll.
            await Task.WhenAny(store._listened.Task, store._listening).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return store;
    }

    /// <summary>
    /// Reads an Npgsql connection string; a malformed one (bad syntax, an unknown keyword, a value of the wrong type) is
    /// a <see cref="StoreOpenException"/> that says what is wrong, before anything connects.
    /// </summary>
    public static NpgsqlConnectionStringBuilder ParseConnectionString(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            // Without .NET's " (Parameter 'x')": the message already names the keyword.
            var problem = ex is ArgumentException { ParamName: { } name } ? ex.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : ex.Message;
            throw new StoreOpenException("", $"the PostgreSQL connection string is not valid: {problem}", ex);
        }
    }

    public IWorkerRegistry Workers => _relational.Workers;

    /// <summary>The estimate of the database's clock that due times are measured on (unless <see cref="PostgresStoreOptions.ProcessClock"/>).</summary>
    internal DatabaseClock DatabaseClock => _databaseClock;

    /// <summary>How many round trips this store's transactions made.</summary>
    internal long RoundTrips => _roundTrips.Count;

    public Task<T> WriteAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default) =>
        _relational.WriteAsync(work, cancellationToken);

    public Task<T> ReadAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default) =>
        _relational.ReadAsync(work, cancellationToken);

    public Task<TimeSpan?> NextDueInAsync(WorkFilter filter, CancellationToken cancellationToken = default) =>
        _relational.NextDueInAsync(filter, cancellationToken);

    /// <summary>Runs a read in a transaction of its own, which sees one snapshot throughout.</summary>
    private async Task<T> ReadSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionLifetime = connection.ConfigureAwait(false);
        var session = new PostgresSession(connection, _databaseClock, _processClock ? _time : null, _roundTrips);
        await using var sessionLifetime = session.ConfigureAwait(false);
        using var tx = new RelationalTransaction(session, PostgresDialect.Instance, _time);
        await session.BeginAsync(write: false, cancellationToken).ConfigureAwait(false);
        tx.Begin();
        try
        {
            return await tx.RunAsync(t => work((RelationalTransaction)t)).ConfigureAwait(false);
        }
        finally
        {
            await session.RollbackAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The wake-up channel of the store in this search path (names are cut to PostgreSQL's 63 bytes).</summary>
    internal static string ChannelOf(string? searchPath)
    {
        var channel = string.IsNullOrEmpty(searchPath) ? "bamboo_work" : "bamboo_work:" + searchPath;
        while (System.Text.Encoding.UTF8.GetByteCount(channel) > 63)
        {
            // A whole character at a time: half a surrogate pair would reach the server as U+FFFD.
            channel = channel[..^(char.IsLowSurrogate(channel[^1]) && channel.Length > 1 ? 2 : 1)];
        }

        return channel;
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
                connection.Notification += (_, e) => OnNotification(e.Payload);
                var listen = new NpgsqlCommand("LISTEN \"" + _channel.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"", connection);
                await using (listen.ConfigureAwait(false))
                {
                    await listen.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (!_listened.TrySetResult())
                {
                    // Listening again after a lost connection: commits made meanwhile were not heard.
                    WakeLoops(_wakeLimit);
                }

                while (!cancellationToken.IsCancellationRequested)
                {
                    await connection.WaitAsync(ListenWait, CancellationToken.None).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (NpgsqlException)
            {
                _listened.TrySetResult();
                // The workers poll meanwhile; listen again once the server answers.
                await Task.Delay(ListenRetry, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A commit made tasks due ("store:tasks"): as many loops wake. This store's own commits woke its loops already;
    /// a notification of another shape (sent by hand) wakes them all.
    /// </summary>
    private void OnNotification(string payload)
    {
        var separator = payload.IndexOf(':', StringComparison.Ordinal);
        if (separator < 0)
        {
            WakeLoops(_wakeLimit);
        }
        else if (!payload.AsSpan(0, separator).SequenceEqual(_id))
        {
            WakeLoops(int.TryParse(payload.AsSpan(separator + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var tasks) ? tasks : _wakeLimit);
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
        if (_disposed)
        {
            return;
        }

        _disposed = true;
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

        // Works still queued (all lanes were busy when the store closed) fail rather than wait for a lane forever.
        while (_queue.TryDequeue(out var pending))
        {
            pending.Error = new ObjectDisposedException(nameof(PostgresStore));
            pending.Complete();
        }

        _stop.Dispose();
    }

    /// <summary>The relational layer's view of this store.</summary>
    private sealed class RelationalStoreAdapter(PostgresStore store) : RelationalStore
    {
        internal override Task<T> WriteSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken) =>
            store.WriteSqlAsync(work, cancellationToken);

        internal override Task<T> WriteAloneSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken) =>
            store.WriteAloneSqlAsync(work, cancellationToken);

        internal override Task<T> ReadSqlAsync<T>(Func<RelationalTransaction, ValueTask<T>> work, CancellationToken cancellationToken) =>
            store.ReadSqlAsync(work, cancellationToken);

        public override Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            store.WaitForWorkAsync(timeout, cancellationToken);
    }
}
