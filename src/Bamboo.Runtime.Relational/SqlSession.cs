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

    /// <summary>Runs an INSERT into a table with an integer key <c>id</c> and returns the new row's id.</summary>
    public abstract ValueTask<long> InsertAsync(string sql, params object?[] args);

    public abstract ValueTask<List<T>> QueryAsync<T>(string sql, Func<ISqlRow, T> map, params object?[] args);

    /// <summary>A point in this transaction's writes that <see cref="UndoToAsync"/> can return to.</summary>
    public abstract ValueTask<int> MarkAsync();

    /// <summary>Undoes every write made since <paramref name="mark"/>; earlier writes stay.</summary>
    public abstract ValueTask UndoToAsync(int mark);

    /// <summary>The store's clock for this transaction, in milliseconds: what due times are measured on.</summary>
    public abstract long Clock { get; }

    public async ValueTask<T?> OneAsync<T>(string sql, Func<ISqlRow, T> map, params object?[] args)
        where T : class => (await QueryAsync(sql, map, args).ConfigureAwait(false)).FirstOrDefault();
}
