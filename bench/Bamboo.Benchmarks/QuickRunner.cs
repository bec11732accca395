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

        // The store's own metrics: how long its writer held the lock per round, and how many steps shared a commit
        // (SQLite); how many round trips and statements the transactions took (PostgreSQL).
        double held = 0, committing = 0;
        long transactions = 0, commits = 0, roundTrips = 0, statements = 0;
        var postgres = Environment.GetEnvironmentVariable(BenchHarness.PostgresVariable) is not null;
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name is Bamboo.Runtime.Sqlite.StoreMetrics.MeterName or Bamboo.Runtime.Postgres.PostgresMetrics.MeterName)
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
            switch (instrument.Name)
            {
                case "bamboo.store.commits":
                    Interlocked.Add(ref commits, value);
                    break;
                case "bamboo.store.round_trips":
                    Interlocked.Add(ref roundTrips, value);
                    break;
                case "bamboo.store.statements":
                    Interlocked.Add(ref statements, value);
                    break;
                default:
                    Interlocked.Add(ref transactions, value);
                    break;
            }
        });
        listener.Start();

        foreach (var shape in shapes)
        {
            var lockHeld = new List<double>();
            var commitTimes = new List<double>();
            var times = new List<double>();
            var cpu = new List<double>();
            long allTransactions = 0, allCommits = 0, allRoundTrips = 0, allStatements = 0;
            var warmUp = await new PipelineBenchmarks { Scenario = shape }.WarmUpAsync();
            Console.Error.WriteLine($"{shape}: warmed up for {warmUp.TotalSeconds:F1} s");
            for (var i = 0; i < rounds; i++)
            {
                var bench = new PipelineBenchmarks { Scenario = shape };
                bench.Setup();
                var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                (held, committing, transactions, commits, roundTrips, statements) = (0, 0, 0, 0, 0, 0);
                var clock = Stopwatch.StartNew();
                await bench.Run();
                clock.Stop();
                bench.Cleanup();
                times.Add(clock.Elapsed.TotalMilliseconds);
                cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds);
                lockHeld.Add(held);
                commitTimes.Add(committing);
                (allTransactions, allCommits) = (allTransactions + transactions, allCommits + commits);
                (allRoundTrips, allStatements) = (allRoundTrips + roundTrips, allStatements + statements);
            }

            times.Sort();
            cpu.Sort();
            lockHeld.Sort();
            commitTimes.Sort();

            var store = postgres
                ? $"{(double)allTransactions / rounds,7:F0} tx/round   {(double)allTransactions / Math.Max(1, allCommits):F1} tx/commit   {(double)allRoundTrips / Math.Max(1, allTransactions):F2} round trips/tx   {(double)allStatements / Math.Max(1, allRoundTrips):F2} statements/round trip"
                : $"write lock median {lockHeld[lockHeld.Count / 2],8:F2} ms (commits {commitTimes[commitTimes.Count / 2],6:F2})   {(double)allTransactions / Math.Max(1, allCommits):F1} tx/commit";
            Console.WriteLine($"{shape,-16} median {times[times.Count / 2],8:F2} ms   min {times[0],8:F2} ms   max {times[^1],8:F2} ms   cpu median {cpu[cpu.Count / 2],8:F2} ms   {store}");
        }
    }
}
