namespace Bamboo.Runtime.Postgres;

/// <summary>
/// The database's clock as this process estimates it: read from the server now and then (<see cref="Refresh"/>),
/// carried forward in between on the process's monotonic clock. Hosts that share a database so agree on due times
/// within a round trip, and a step of this host's wall clock (NTP, an operator) moves nothing. Reading the server's
/// clock in every transaction cost a round trip each; the estimate drifts by the two clocks' rate difference
/// (parts per million: well under a millisecond between readings). Thread-safe.
/// </summary>
internal sealed class DatabaseClock(TimeProvider monotonic, TimeSpan refreshAfter)
{
    /// <summary>The statement that reads the server's clock, in unix milliseconds.</summary>
    public const string ReadSql = "SELECT CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)";

    /// <summary>How long an estimate is trusted before the server's clock is read again.</summary>
    public static readonly TimeSpan DefaultRefresh = TimeSpan.FromSeconds(30);

    private Reading? _last;
    private long _reads;

    /// <summary>How many times the server's clock was read (tests check the transactions do not).</summary>
    public long Reads => Interlocked.Read(ref _reads);

    /// <summary>
    /// The estimate now, or null when there is none or it is older than the refresh interval: then the caller reads
    /// the server's clock and gives it to <see cref="Refresh"/>.
    /// </summary>
    public long? Now
    {
        get
        {
            if (Volatile.Read(ref _last) is not { } last)
            {
                return null;
            }

            var elapsed = monotonic.GetElapsedTime(last.At);
            return elapsed < refreshAfter ? last.Millis + (long)elapsed.TotalMilliseconds : null;
        }
    }

    /// <summary>
    /// Records a reading of the server's clock that has just arrived. It is dated on arrival: the estimate then runs at
    /// most a round trip behind the server's clock, so a task is never taken before the server's clock says it is due.
    /// </summary>
    public long Refresh(long millis)
    {
        Interlocked.Increment(ref _reads);
        Volatile.Write(ref _last, new Reading(millis, monotonic.GetTimestamp()));
        return millis;
    }

    private sealed record Reading(long Millis, long At);
}
