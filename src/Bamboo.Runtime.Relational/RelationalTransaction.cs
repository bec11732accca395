using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Relational.Stores;

namespace Bamboo.Runtime.Relational;

/// <summary>
/// The stores of one session, as the engine's <see cref="IStoreTransaction"/>. A store that commits several callers'
/// work in one database transaction (group commit) runs each through <see cref="RunAsync{T}"/>, so one caller's failure
/// undoes only its own writes. Not thread-safe: one caller's work at a time.
/// </summary>
internal sealed class RelationalTransaction : IStoreTransaction, IDisposable
{
    // A node's execution data lives in its state row. A step usually records its data before its state, so the data
    // waits here and is written by the same statement as the state; data whose state is not written by the same work
    // is written on its own when the work ends. Kept as UTF-8 JSON: the caller may change its objects afterwards.
    private readonly Dictionary<string, (byte[] Inputs, byte[] Outputs)> _pendingData = [];

    public RelationalTransaction(SqlSession session, SqlDialect dialect, TimeProvider time)
    {
        Session = session;
        Dialect = dialect;
        Time = time;
        Runs = new RunStore(this, dialect);
        States = new StateStore(this, dialect);
        Processes = new ProcessStore(this, dialect);
        Data = new DataStore(this);
        Schedules = new ScheduleStore(this, dialect);
        Tasks = new TaskStore(this, dialect);
    }

    public SqlSession Session { get; }

    public SqlDialect Dialect { get; }

    /// <summary>
    /// Whether reads of the rows the engine rewrites whole (processes, schedules) lock them: set for the write
    /// transactions of a store whose writers run at once (<see cref="SqlDialect.RowLock"/>).
    /// </summary>
    public bool LocksRows { get; init; }

    private TimeProvider Time { get; }

    public JsonText Json { get; } = new();

    internal Dictionary<string, (byte[] Inputs, byte[] Outputs)> PendingData => _pendingData;

    public long Now { get; private set; }

    public IRunStore Runs { get; }

    public IStateStore States { get; }

    public IProcessStore Processes { get; }

    public IDataStore Data { get; }

    public IScheduleStore Schedules { get; }

    ITaskStore IStoreTransaction.Tasks => Tasks;

    public TaskStore Tasks { get; }

    /// <summary>Tasks made due by this transaction (new or given back), to wake as many idle loops.</summary>
    public int EnqueuedCount { get; set; }

    /// <summary>Called when the database transaction begins.</summary>
    public void Begin()
    {
        EnqueuedCount = 0;
        _pendingData.Clear();
        Now = Time.GetUtcNow().ToUnixTimeMilliseconds();
    }

    /// <summary>Where the last work run by <see cref="RunAsync{T}"/> began (its mark in the session).</summary>
    public int LastMark { get; private set; }

    /// <summary>
    /// Runs one caller's work and writes its pending data. On failure only this work's writes are undone (the callers
    /// before it in the same commit keep theirs) and the exception propagates. The writes the session holds are
    /// flushed when the work ends, so their failures are this work's; unless <paramref name="deferred"/>: then they
    /// go out with the next work's first statement or the commit, and a failure of theirs is reported by the session
    /// against this work's mark (see <see cref="SqlSession.EndWorkAsync"/>), saving the work a round trip.
    /// </summary>
    public async ValueTask<T> RunAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, bool deferred = false)
    {
        var mark = deferred ? await Session.MarkWorkAsync().ConfigureAwait(false) : await Session.MarkAsync().ConfigureAwait(false);
        LastMark = mark;
        var enqueued = EnqueuedCount;
        try
        {
            Now = Time.GetUtcNow().ToUnixTimeMilliseconds();
            var result = await work(this).ConfigureAwait(false);
            await WritePendingDataAsync().ConfigureAwait(false);
            if (deferred)
            {
                await Session.EndWorkAsync(mark).ConfigureAwait(false);
            }
            else
            {
                await Session.FlushAsync().ConfigureAwait(false);
            }

            return result;
        }
        catch (Exception ex)
        {
            _pendingData.Clear();
            EnqueuedCount = enqueued;
            await UndoAndThrowAsync(mark, ex).ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask<T> IsolatedAsync<T>(Func<ValueTask<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var pendingBefore = _pendingData.Count == 0 ? null : new Dictionary<string, (byte[] Inputs, byte[] Outputs)>(_pendingData);
        var mark = await Session.MarkAsync().ConfigureAwait(false);
        var enqueued = EnqueuedCount;
        try
        {
            var result = await work().ConfigureAwait(false);
            // The isolated work's held writes fail here, inside it, and are undone with it.
            await Session.FlushAsync().ConfigureAwait(false);
            return result;
        }
        catch (Exception ex)
        {
            EnqueuedCount = enqueued;
            _pendingData.Clear();
            foreach (var (nodeId, data) in pendingBefore ?? [])
            {
                _pendingData[nodeId] = data;
            }

            await UndoAndThrowAsync(mark, ex).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Undoes the work since <paramref name="mark"/>. A held write that failed before <paramref name="thrown"/> was
    /// thrown is what the work failed of (run at once, it would have stopped the work there): that failure is thrown.
    /// </summary>
    private async ValueTask UndoAndThrowAsync(int mark, Exception thrown)
    {
        var held = Session.HeldFailure;
        await Session.UndoToAsync(mark).ConfigureAwait(false);
        if (held is not null && held != thrown)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(held);
        }
    }

    private async ValueTask WritePendingDataAsync()
    {
        foreach (var (nodeId, data) in _pendingData)
        {
            await Session.ExecuteLaterAsync(StateStore.SetDataSql,
                new RowCheck(1, () => new InvalidOperationException($"node {nodeId}: execution data is stored with the node's state, and the node has no state")),
                nodeId, data.Inputs, data.Outputs).ConfigureAwait(false);
        }

        _pendingData.Clear();
    }

    public void Dispose() => Json.Dispose();
}
