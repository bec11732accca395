using System.Diagnostics;
using Bamboo.Engine.Api;

namespace Bamboo.Benchmarks;

/// <summary>
/// Throughput of worker processes sharing one PostgreSQL database (<c>quick-workers N [W] [rounds]</c>): starts N
/// <c>bamboo worker --postgres ... --workers W</c> processes on a fresh schema, warms them up, then starts 100 × 17
/// pipelines (100 sequences of 15 activities) at once from this process, which runs no workers, and measures until all
/// 100 finished. Prints nodes per second (1700 / seconds) per round and their median. The CLI is
/// src/Bamboo.Cli/bin/Release/net10.0/bamboo.dll, or BAMBOO_BENCH_CLI; BAMBOO_BENCH_POSTGRES names the database.
/// </summary>
internal static class WorkerProcessRunner
{
    private const int Pipelines = 100;
    private const int Activities = 15;
    private const int NodesPerPipeline = Activities + 2;
    // Per process: each process's JIT settles on its own, and N of them share the machine's cores.
    private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(8);
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(5);

    public static async Task RunAsync(IReadOnlyList<string> args)
    {
        var numbers = args.Select(a => int.TryParse(a, out var n) ? n : 0).ToList();
        var processes = numbers.Count > 0 ? numbers[0] : 1;
        var loops = numbers.Count > 1 ? numbers[1] : 4;
        var rounds = numbers.Count > 2 ? numbers[2] : 5;
        if (Environment.GetEnvironmentVariable(BenchHarness.PostgresVariable) is null)
        {
            throw new InvalidOperationException($"quick-workers needs {BenchHarness.PostgresVariable}: the worker processes share a PostgreSQL database");
        }

        var cli = Environment.GetEnvironmentVariable("BAMBOO_BENCH_CLI")
            ?? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Bamboo.Cli/bin/Release/net10.0/bamboo.dll"));
        await using var harness = new BenchHarness(workers: false);
        var connection = harness.SchemaConnection;
        var workers = Enumerable.Range(0, processes).Select(_ => StartWorker(cli, connection, loops)).ToList();
        try
        {
            await WaitForWorkersAsync(harness, processes, workers);
            var clock = Stopwatch.StartNew();
            var warmUps = 0;
            while (clock.Elapsed < WarmUp * processes || warmUps == 0)
            {
                await RoundAsync(harness);
                warmUps++;
            }

            Console.Error.WriteLine($"{processes} worker process(es) × {loops} loops: warmed up with {warmUps} rounds in {clock.Elapsed.TotalSeconds:F1} s");
            var rates = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                var elapsed = await RoundAsync(harness);
                rates.Add(Pipelines * NodesPerPipeline / elapsed.TotalSeconds);
                Console.Error.WriteLine($"  round {i + 1}: {elapsed.TotalMilliseconds:F0} ms, {rates[^1]:F0} nodes/s");
            }

            rates.Sort();
            Console.WriteLine($"workers {processes} × {loops}   median {rates[rates.Count / 2],6:F0} nodes/s   min {rates[0],6:F0}   max {rates[^1],6:F0}   ({rounds} rounds of {Pipelines} × {NodesPerPipeline})");
        }
        finally
        {
            foreach (var worker in workers)
            {
                StopWorker(worker);
            }
        }
    }

    private static Process StartWorker(string cli, string connection, int loops)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { cli, "worker", "--postgres", connection, "--workers", loops.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start a worker process");
        // The worker prints a line per node; read and dropped, so it never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrEmpty(e.Data))
            {
                Console.Error.WriteLine($"worker {process.Id}: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void StopWorker(Process worker)
    {
        if (!worker.HasExited)
        {
            worker.Kill(entireProcessTree: true);
            worker.WaitForExit();
        }

        worker.Dispose();
    }

    private static async Task WaitForWorkersAsync(BenchHarness harness, int processes, List<Process> workers)
    {
        var clock = Stopwatch.StartNew();
        while (await harness.Store.Workers.ListAsync() is { } registered && registered.Count < processes)
        {
            if (workers.FirstOrDefault(w => w.HasExited) is { } exited)
            {
                throw new InvalidOperationException($"a worker process exited with code {exited.ExitCode}");
            }

            if (clock.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new TimeoutException($"only {registered.Count} of {processes} worker processes registered");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Starts 100 × 17 pipelines at once and waits, polling their root states, until all finished.</summary>
    private static async Task<TimeSpan> RoundAsync(BenchHarness harness)
    {
        var pipelines = Enumerable.Range(0, Pipelines).Select(_ => BenchHarness.Sequential(Activities)).ToList();
        var roots = pipelines.Select(p => p.Id).ToList();
        var clock = Stopwatch.StartNew();
        var started = await Task.WhenAll(pipelines.Select(p => EngineApi.RunPipelineAsync(harness.Engine, p)));
        if (started.FirstOrDefault(r => !r.Result) is { } refused)
        {
            throw new InvalidOperationException(refused.Message);
        }

        while (true)
        {
            var states = await harness.Store.ReadAsync(tx => tx.States.GetManyAsync(roots));
            if (states.Count(s => s.Name == Engine.Execution.NodeState.Finished) == Pipelines)
            {
                return clock.Elapsed;
            }

            if (clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                throw new TimeoutException("the pipelines did not finish within 2 minutes");
            }

            await Task.Delay(Poll);
        }
    }
}
