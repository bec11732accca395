namespace Bamboo.Runtime.Relational;

/// <summary>
/// What a write the caller does not wait for must have changed: exactly <see cref="Rows"/> rows, or the caller's work
/// fails with the exception <see cref="Failure"/> makes (see <see cref="SqlSession.ExecuteLaterAsync"/>).
/// </summary>
internal readonly record struct RowCheck(int Rows, Func<Exception> Failure)
{
    /// <summary>The exception for <paramref name="changed"/> rows, or null when that is what was expected.</summary>
    public Exception? Verify(int changed) => changed == Rows ? null : Failure();
}
