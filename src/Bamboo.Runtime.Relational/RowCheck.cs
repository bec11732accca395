namespace Bamboo.Runtime.Relational;

/// <summary>
/// What a write the caller does not wait for must have changed: exactly <see cref="Rows"/> rows, or the caller's work
/// fails with the exception <see cref="Failure"/> makes (see <see cref="SqlSession.ExecuteLaterAsync"/>). A check that
/// <see cref="Stops"/> is made before any later statement runs: those would fail on their own, with a less telling
/// error (a run's second insert under a taken root id).
/// </summary>
internal readonly record struct RowCheck(int Rows, Func<Exception> Failure, bool Stops = false)
{
    /// <summary>The exception for <paramref name="changed"/> rows, or null when that is what was expected.</summary>
    public Exception? Verify(int changed) => changed == Rows ? null : Failure();
}
