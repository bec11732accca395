namespace Bamboo.Runtime.Sqlite;

/// <summary>
/// The store's clock: milliseconds kept in the file (table store_clock), on which due times are measured. Each write
/// moves it to this process's estimate, the last value it took from the store plus the time passed since on this
/// process's monotonic clock, and never back. So due times do not depend on any wall clock: a step of the system
/// clock, forward or back, neither fires delayed tasks early nor stalls them. What it assumes: every process on the
/// file runs on one machine, whose monotonic clock they share; time while no process runs does not count.
/// </summary>
internal sealed class StoreClock(TimeProvider time)
{
    private readonly Lock _lock = new();
    private long _seen = long.MinValue;
    private long _seenAt;

    /// <summary>This process's estimate of the store's clock now.</summary>
    public long Estimate()
    {
        lock (_lock)
        {
            return _seen == long.MinValue ? 0 : EstimateLocked();
        }
    }

    /// <summary>Takes a value read from the store; returns the clock to use, which is never behind the estimate.</summary>
    public long Observed(long stored)
    {
        lock (_lock)
        {
            if (_seen != long.MinValue)
            {
                var estimate = EstimateLocked();
                if (estimate >= stored)
                {
                    // Not re-based: counting from each reading would drop the part of a millisecond since the last
                    // one every time, and under transactions less than a millisecond apart the clock would stand still.
                    return estimate;
                }
            }

            // The first reading, or another process moved the clock further: count on from there.
            _seen = stored;
            _seenAt = time.GetTimestamp();
            return stored;
        }
    }

    private long EstimateLocked() => _seen + (long)time.GetElapsedTime(_seenAt).TotalMilliseconds;
}
