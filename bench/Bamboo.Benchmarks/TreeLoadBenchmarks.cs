using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using Bamboo.Engine.Building;
using Bamboo.Engine.Model;
using Bamboo.Engine.Validation;
using Var = Bamboo.Engine.Building.Var;

namespace Bamboo.Benchmarks;

/// <summary>
/// Loading and validating a 200,000-node sequential tree (start → 200,000 service activities → end) from the JSON
/// bamboo's builder writes: what run_pipeline and a worker's first step do with a large tree. Issue "Hardening" asks
/// for at most 3 s and 1 GiB.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 10)]
public class TreeLoadBenchmarks
{
    private string _json = "";

    [GlobalSetup]
    public void Setup()
    {
        var start = new EmptyStartEvent();
        Element tail = start;
        for (var i = 0; i < 200_000; i++)
        {
            tail = tail.Extend(new ServiceActivity("debug_node") { Inputs = { ["k"] = new Var(Var.Plain, 1) } });
        }

        tail.Extend(new EmptyEndEvent());
        _json = PipelineBuilder.BuildTreeJson(start).ToJsonString();
    }

    [Benchmark]
    public Pipeline LoadAndValidate200k() => new PipelineValidator().Validate(Pipeline.Parse(_json));
}
