using System.Diagnostics;

namespace Bamboo.Benchmarks;

/// <summary>
/// A fast loop over the same scenarios as <see cref="PipelineBenchmarks"/>, for trying changes: each scenario is
/// warmed up until the JIT settles (<see cref="JitSettle"/>), then runs N measured rounds, each on a fresh database;
/// prints wall-clock median, min and max, and the median of process CPU time (both cores), which the shared
/// machine's noise disturbs less.
/// BenchmarkDotNet remains the reference for reported numbers.
/// </summary>
internal static class QuickRunner
{
    public static async Task RunAsync(IReadOnlyList<string> args)
    {
        var rounds = args.Count > 0 && int.TryParse(args[^1], out var n) ? n : 20;
        var shapes = args.Where(a => !int.TryParse(a, out _) && Enum.TryParse<PipelineBenchmarks.Shape>(a, out _)).Select(Enum.Parse<PipelineBenchmarks.Shape>).ToList();
        if (shapes.Count == 0)
        {
            shapes = [.. Enum.GetValues<PipelineBenchmarks.Shape>()];
        }

        // The store's own metrics: how long its writer held the lock per round, and how many steps shared a commit.
        double held = 0, committing = 0;
        long transactions = 0, commits = 0;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == Bamboo.Runtime.Sqlite.StoreMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) =>
        {
            if (instrument.Name == "bamboo.store.commit.duration")
            {
                committing += value;
            }
            else
            {
                held += value;
            }
        });
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "bamboo.store.commits")
            {
                commits += value;
            }
            else
            {
                transactions += value;
            }
        });
        listener.Start();

        foreach (var shape in shapes)
        {
            var lockHeld = new List<double>();
            var commitTimes = new List<double>();
            var times = new List<double>();
            var cpu = new List<double>();
            long allTransactions = 0, allCommits = 0;
            var warmUp = await new PipelineBenchmarks { Scenario = shape }.WarmUpAsync();
            Console.Error.WriteLine($"{shape}: warmed up for {warmUp.TotalSeconds:F1} s");
            for (var i = 0; i < rounds; i++)
            {
                var bench = new PipelineBenchmarks { Scenario = shape };
                bench.Setup();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                (held, committing, transactions, commits) = (0, 0, 0, 0);
                var clock = Stopwatch.StartNew();
                await bench.Run();
                clock.Stop();
                bench.Cleanup();
                times.Add(clock.Elapsed.TotalMilliseconds);
                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
                lockHeld.Add(held);
                commitTimes.Add(committing);
                (allTransactions, allCommits) = (allTransactions + transactions, allCommits + commits);
            }

            times.Sort();
            cpu.Sort();
            lockHeld.Sort();
            commitTimes.Sort();

            Console.WriteLine($"{shape,-16} median {times[times.Count / 2],8:F2} ms   min {times[0],8:F2} ms   max {times[^1],8:F2} ms   cpu median {cpu[cpu.Count / 2],8:F2} ms   write lock median {lockHeld[lockHeld.Count / 2],8:F2} ms (commits {commitTimes[commitTimes.Count / 2],6:F2})   {(double)allTransactions / Math.Max(1, allCommits):F1} tx/commit");
        }
    }
}
