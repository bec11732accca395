using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;
using Bamboo.Engine.Tests.Model;
using Bamboo.Engine.Validation;

namespace Bamboo.Engine.Tests.Validation;

/// <summary>Trees at the sizes and depths the limits allow: they load and validate, and past a limit the error names it.</summary>
public sealed class LargeTreeTests
{
    // start -> 200,000 activities -> end; bench/Bamboo.Benchmarks/TreeLoadBenchmarks measures the time and memory.
    [Fact]
    public void Validate_200kNodeSequentialTree_IsAccepted()
    {
        var json = TreeText.Sequential(200_000);

        var validated = new PipelineValidator().Validate(Pipeline.Parse(json));

        Assert.Equal(200_000, validated.Activities.Count);
        Assert.Equal(200_001, validated.Flows.Count);
    }

    // p -> sub1 -> sub2 -> ... -> sub100 -> one activity
    [Fact]
    public void Validate_SubprocessesNestedToTheLimit_IsAccepted()
    {
        var json = TreeText.NestedSubprocesses(PipelineLimits.MaxSubprocessDepth);

        var validated = new PipelineValidator().Validate(Pipeline.Parse(json));

        var depth = 0;
        for (var p = validated; p.Activities.Values.FirstOrDefault() is SubProcessNode sub; p = sub.Pipeline)
        {
            Assert.Equal(sub.Id, sub.Pipeline.Id);
            depth++;
        }

        Assert.Equal(PipelineLimits.MaxSubprocessDepth, depth);
    }

    [Fact]
    public void Parse_SubprocessesNestedPastTheLimit_NamesTheLimit()
    {
        var json = TreeText.NestedSubprocesses(PipelineLimits.MaxSubprocessDepth + 1);

        var ex = Assert.Throws<PipelineFormatException>(() => Pipeline.Parse(json));

        Assert.Contains("PipelineLimits.MaxSubprocessDepth", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith(".activities.sub101.pipeline", ex.Path, StringComparison.Ordinal);
    }

    // 10,000 levels: far past the JSON depth limit, so the parser stops it before any recursion.
    [Fact]
    public void Parse_10000NestedSubprocesses_IsAFormatErrorNamingTheDepthLimit()
    {
        var json = TreeText.NestedSubprocesses(10_000);

        var ex = Assert.Throws<PipelineFormatException>(() => Pipeline.Parse(json));

        Assert.Equal("$", ex.Path);
        Assert.Contains("PipelineLimits.MaxJsonDepth", ex.Message, StringComparison.Ordinal);
    }
}
