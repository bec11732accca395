namespace Bamboo.Runtime.Relational;

/// <summary>
/// One open transaction on a database, as the relational stores use it. SQL comes with positional parameters
/// <c>$0, $1, ...</c>; arguments are null, bool, int, long, string, or byte[] holding UTF-8 JSON text. Statements are
/// given as the same string objects every time, so a session may cache its prepared statements by reference.
/// </summary>
internal abstract class SqlSession
{
    /// <summary>Runs a statement; returns the number of rows it changed.</summary>
    public abstract ValueTask<int> ExecuteAsync(string sql, params object?[] args);

    /// <summary>
    /// Runs a write whose outcome the caller does not need at once. A session that pays a round trip per statement may
    /// hold it and send it with the next statement that returns something, or with the commit. When
    /// <paramref name="check"/> is given and the write changes another number of rows, the work fails with the
    /// check's exception: at once, when the write returns, or at the latest at <see cref="FlushAsync"/>, before any
    /// commit (see <see cref="HeldFailure"/>). Writes and statements run in the order they were given. This default
    /// runs it at once; a write that fails its check is undone before its error is thrown, so a work that catches the
    /// error goes on without it, as where the check is made later.
    /// </summary>
    public virtual async ValueTask ExecuteLaterAsync(string sql, RowCheck? check, params object?[] args)
    {
        var mark = check is null ? 0 : await MarkAsync().ConfigureAwait(false);
        var changed = await ExecuteAsync(sql, args).ConfigureAwait(false);
        if (check?.Verify(changed) is { } failure)
        {
            if (changed != 0)
            {
                await UndoToAsync(mark).ConfigureAwait(false);
            }

            throw failure;
        }
    }

    /// <summary>
    /// Sends the writes held so far and throws the first held failure: called where one caller's work ends, so that a
    /// failure is thrown to the work it belongs to. <see cref="MarkAsync"/> flushes too.
    /// </summary>
    public virtual ValueTask FlushAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// A held write that failed its check (or its batch's error), noticed when a later statement returned but not yet
    /// thrown: the work that saw only that statement's result goes on, and fails when it is flushed. A work that
    /// fails for another reason meanwhile fails with this instead, as it would have had the write run at once.
    /// </summary>
    public virtual Exception? HeldFailure => null;

    /// <summary>Runs an INSERT into a table with an integer key <c>id</c> and returns the new row's id.</summary>
    public abstract ValueTask<long> InsertAsync(string sql, params object?[] args);

    /// <summary>
    /// Runs <paramref name="sql"/>, an INSERT as for <see cref="InsertAsync"/>, once per row of arguments; returns the
    /// new ids in order. A session that pays a round trip per statement sends them all in one. This default inserts
    /// one after another.
    /// </summary>
    public virtual async ValueTask<long[]> InsertAllAsync(string sql, IReadOnlyList<object?[]> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var ids = new long[rows.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = await InsertAsync(sql, rows[i]).ConfigureAwait(false);
        }

        return ids;
    }

    public abstract ValueTask<List<T>> QueryAsync<T>(string sql, Func<ISqlRow, T> map, params object?[] args);

    /// <summary>
    /// A point in this transaction's writes that <see cref="UndoToAsync"/> can return to. Writes held before it are
    /// flushed first, so their failures are thrown to the work before the mark.
    /// </summary>
    public abstract ValueTask<int> MarkAsync();

    /// <summary>
    /// The mark a caller's work begins at when several callers' works share the transaction and each ends with
    /// <see cref="EndWorkAsync"/>: unlike <see cref="MarkAsync"/>, the earlier works' held writes need not be sent
    /// first. This default is <see cref="MarkAsync"/>.
    /// </summary>
    public virtual ValueTask<int> MarkWorkAsync() => MarkAsync();

    /// <summary>
    /// Ends the work begun at <paramref name="mark"/> (by <see cref="MarkWorkAsync"/>) without sending its held writes:
    /// they go out with the next statement. Throws the work's own held failure, as <see cref="FlushAsync"/> does. A
    /// held write of the ended work that fails later undoes that work alone (to its mark) and is reported in
    /// <see cref="LateFailures"/>; the statements sent after it are sent again. This default flushes.
    /// </summary>
    public virtual ValueTask EndWorkAsync(int mark) => FlushAsync();

    /// <summary>Works ended by <see cref="EndWorkAsync"/> whose held writes failed afterwards: their marks and errors.</summary>
    public virtual IReadOnlyList<(int Mark, Exception Error)> LateFailures => [];

    /// <summary>Undoes every write made since <paramref name="mark"/>, held ones included, and forgets their failures; earlier writes stay.</summary>
    public abstract ValueTask UndoToAsync(int mark);

    /// <summary>The store's clock for this transaction, in milliseconds: what due times are measured on.</summary>
    public abstract long Clock { get; }

    public async ValueTask<T?> OneAsync<T>(string sql, Func<ISqlRow, T> map, params object?[] args)
        where T : class => (await QueryAsync(sql, map, args).ConfigureAwait(false)).FirstOrDefault();
}
