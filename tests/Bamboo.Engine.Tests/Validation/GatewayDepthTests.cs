using Bamboo.Engine.Building;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;
using Bamboo.Engine.Validation;

namespace Bamboo.Engine.Tests.Validation;

/// <summary>Pairing gateways with their converge gateways on long and deep graphs: no recursion along chains, a named limit on nesting.</summary>
public sealed class GatewayDepthTests
{
    // start -> 100,000 activities -> eg -> {end, end}: the gateway's distance from the start is 100,001 flows.
    [Fact]
    public void Validate_GatewayAfterALongChain_DoesNotRecurseAlongTheChain()
    {
        var start = new EmptyStartEvent();
        Element tail = start;
        for (var i = 0; i < 100_000; i++)
        {
            tail = tail.Extend(new ServiceActivity("debug_node"));
        }

        var end = new EmptyEndEvent();
        tail.Extend(new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 1", [1] = "1 == 0" }, id: "eg")).Connect(end, end);

        var validated = new PipelineValidator().Validate(PipelineBuilder.BuildTree(start));

        Assert.Null(validated.Gateways["eg"].ConvergeGatewayId);
    }

    // start -> eg0 => eg1 => ... => egN => end, each gateway's two branches going to the next one
    [Theory]
    [InlineData(PipelineLimits.MaxGatewayNesting - 1, true)]
    [InlineData(PipelineLimits.MaxGatewayNesting + 1, false)]
    public void Validate_ChainedGateways_AreAcceptedUpToTheLimit(int count, bool accepted)
    {
        var start = new EmptyStartEvent();
        var first = new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 1", [1] = "1 == 0" }, id: "eg0");
        var previous = start.Extend(first);
        for (var i = 1; i < count; i++)
        {
            var next = new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 1", [1] = "1 == 0" }, id: $"eg{i}");
            previous.Connect(next, next);
            previous = next;
        }

        var end = new EmptyEndEvent();
        previous.Connect(end, end);
        var tree = PipelineBuilder.BuildTree(start);

        var refusal = Record.Exception(() => new PipelineValidator().Validate(tree));

        if (accepted)
        {
            Assert.Null(refusal);
        }
        else
        {
            var ex = Assert.IsType<ConvergeMatchException>(refusal);
            Assert.Contains("PipelineLimits.MaxGatewayNesting", ex.Message, StringComparison.Ordinal);
        }
    }
}
