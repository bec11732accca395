using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Bamboo.Engine.Model;

namespace Bamboo.Benchmarks;

/// <summary>
/// End-to-end runs on the durable SQLite store (every step committed): from run_pipeline to the root's FINISHED.
/// Each iteration gets a fresh database file and fresh pipeline ids.
/// </summary>
[Config(typeof(TwoHosts))]
[MinColumn, MaxColumn, MedianColumn]
#pragma warning disable CA1001 // The harness lives from IterationSetup to IterationCleanup, which BenchmarkDotNet calls.
public class PipelineBenchmarks
#pragma warning restore CA1001
{
    private BenchHarness _harness = null!;
    private IReadOnlyList<Pipeline> _pipelines = [];

    /// <summary>
    /// The same job in BenchmarkDotNet's usual child process and inside the runner's own process. On the 2-core VM
    /// the child process measured the concurrent scenarios up to 2× slower, run after run, while the in-process
    /// job agreed with the quick runner; both are reported rather than picking one.
    /// </summary>
    private sealed class TwoHosts : ManualConfig
    {
        public TwoHosts()
        {
            // The child process gets the host's runtime settings through its environment (TieredPGO is off, as in the CLI).
            var job = Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(20)
                .WithInvocationCount(1).WithUnrollFactor(1).WithEnvironmentVariable("DOTNET_TieredPGO", "0");
            AddJob(job.WithId("ChildProcess"));
            AddJob(job.WithToolchain(InProcessEmitToolchain.Instance).WithId("InProcess"));
        }
    }

    [ParamsAllValues]
    public Shape Scenario { get; set; }

    public enum Shape
    {
        Sequential1000,
        Pipelines100x17,
        FanOut100,
        Branches100x10,
        Latency3,
    }

    /// <summary>
    /// Runs the scenario until the JIT has settled (<see cref="JitSettle"/>) before any measurement. The engine is a
    /// long-running worker; a fixed two-second warm-up measured code still in its instrumented tiers, with the JIT
    /// busy on the second core, which says more about the JIT than about the engine.
    /// </summary>
    [GlobalSetup]
    public void WarmUp() => WarmUpAsync().GetAwaiter().GetResult();

    /// <inheritdoc cref="WarmUp"/>
    /// <returns>How long the warm-up took.</returns>
    internal Task<TimeSpan> WarmUpAsync() =>
        JitSettle.WarmUpAsync(async () =>
        {
            Setup();
            await Run();
            Cleanup();
        }, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60));

    [IterationSetup]
    public void Setup()
    {
        _harness = new BenchHarness();
        _pipelines = Scenario switch
        {
            Shape.Sequential1000 => [BenchHarness.Sequential(1000)],
            Shape.Pipelines100x17 => Enumerable.Range(0, 100).Select(_ => BenchHarness.Sequential(15)).ToList(),
            Shape.FanOut100 => [BenchHarness.FanOut(100, 1)],
            Shape.Branches100x10 => [BenchHarness.FanOut(100, 10)],
            _ => [BenchHarness.Sequential(1)],
        };
    }

    [IterationCleanup]
    public void Cleanup() => _harness.DisposeAsync().AsTask().GetAwaiter().GetResult();

    [Benchmark]
    public Task Run() => _harness.RunAsync(_pipelines);
}
