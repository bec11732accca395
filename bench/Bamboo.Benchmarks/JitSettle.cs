using System.Diagnostics;
using System.Runtime;

namespace Bamboo.Benchmarks;

/// <summary>
/// Warms a scenario up until the JIT has settled. With tiered compilation and dynamic PGO, the engine's hot methods
/// pass through instrumented tiers before their final code; on this 2-core machine that took about 6 s and 4 s of JIT
/// time for 100 × 17 pipelines, so a fixed short warm-up measured half-instrumented code while the JIT competed for
/// the second core (up to 1.7× the settled time). The engine is a long-running worker, so its settled speed is what
/// the benchmarks report.
/// </summary>
internal static class JitSettle
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="round"/> until the JIT spent under 1% of a second-long window, or for at most <paramref name="limit"/>.</summary>
    public static async Task<TimeSpan> WarmUpAsync(Func<Task> round, TimeSpan minimum, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        var windowStart = clock.Elapsed;
        var jitAtWindowStart = JitInfo.GetCompilationTime();
        while (clock.Elapsed < limit)
        {
            await round().ConfigureAwait(false);
            if (clock.Elapsed - windowStart < Window)
            {
                continue;
            }

            var jit = JitInfo.GetCompilationTime() - jitAtWindowStart;
            if (clock.Elapsed >= minimum && jit < (clock.Elapsed - windowStart) / 100)
            {
                break;
            }

            (windowStart, jitAtWindowStart) = (clock.Elapsed, JitInfo.GetCompilationTime());
        }

        return clock.Elapsed;
    }
}
