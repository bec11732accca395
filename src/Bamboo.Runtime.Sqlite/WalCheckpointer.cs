using Microsoft.Data.Sqlite;

namespace Bamboo.Runtime.Sqlite;

/// <summary>
/// Copies committed WAL pages into the database file on its own connection and thread. SQLite's automatic
/// checkpoint runs inside the committing transaction, and with its two fsyncs it cost the writer about half of
/// a step's time; here the writer only counts its commits. Durability is unchanged: a commit is in the WAL either
/// way. The writer keeps SQLite's automatic checkpoint at a high page count as a bound on the WAL's size.
/// </summary>
internal sealed class WalCheckpointer : IAsyncDisposable
{
    /// <summary>How many pages the WAL may hold before the writer checkpoints inline after all.</summary>
    public const int WalLimitPages = 16_384;

    private const int CommitsPerCheckpoint = 128;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _due = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _commits;

    public WalCheckpointer(string connectionString)
    {
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        _connection.Execute("PRAGMA busy_timeout=30000;");

        // A thread of its own: a checkpoint blocks on disk writes and fsyncs, which must not hold a thread-pool thread
        // that the engine's continuations are waiting for.
        _loop = Task.Factory.StartNew(Loop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Counts a committed write; every <see cref="CommitsPerCheckpoint"/> commits wake the checkpointer.</summary>
    public void Committed()
    {
        if (Interlocked.Increment(ref _commits) % CommitsPerCheckpoint == 0 && _due.CurrentCount == 0)
        {
            try
            {
                _due.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already due: another commit woke it between the check and the release.
            }
        }
    }

    private void Loop()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                _due.Wait(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Checkpoint();
        }
    }

    /// <summary>
    /// PASSIVE never waits for the writer, so it may copy only part of the log; the next round copies the rest,
    /// and the writer starts the log over once a checkpoint has copied all of it.
    /// </summary>
    private void Checkpoint()
    {
        try
        {
            _connection.Execute("PRAGMA wal_checkpoint(PASSIVE);");
        }
        catch (SqliteException)
        {
            // Busy with another checkpointer (another process on the file); the next round tries again.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _connection.Dispose();
        _stop.Dispose();
        _due.Dispose();
    }
}
