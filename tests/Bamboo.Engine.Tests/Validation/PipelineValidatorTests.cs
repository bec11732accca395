using Bamboo.Engine.Building;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;
using Bamboo.Engine.Validation;

namespace Bamboo.Engine.Tests.Validation;

public sealed class PipelineValidatorTests
{
    private static ServiceActivity Act(string id) => new("debug_node", id);

    private static Pipeline Validate(EmptyStartEvent start, bool cycleTolerate = false) =>
        new PipelineValidator(["MyTestEndEvent"]).Validate(PipelineBuilder.BuildTree(start), cycleTolerate);

    public static TheoryData<string> ScenarioFiles() => [.. Corpus.ScenarioFiles().Select(f => Path.GetRelativePath(Corpus.Root(), f))];

    [Theory]
    [MemberData(nameof(ScenarioFiles))]
    public void Validate_ConformanceTree_IsAccepted(string file)
    {
        var scenario = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Corpus.Root(), file)))!;
        var cycles = scenario["steps"]![0]!["args"]?["cycle_tolerate"]?.GetValue<bool>() ?? false;
        var sut = new PipelineValidator(["MyTestEndEvent", "MyRaiseEndEvent"]);

        var validated = sut.Validate(Pipeline.Parse(scenario["pipeline"]!.ToJsonString()), cycles);

        Assert.All(validated.Gateways.Values.Where(g => g.IsForking), g => Assert.NotNull(g.ConvergeGatewayId));
    }

    // start -> end
    [Fact]
    public void Validate_StartConnectedToEnd_FailsOnStart()
    {
        var start = new EmptyStartEvent("s");
        start.Extend(new EmptyEndEvent("e"));

        var ex = Assert.Throws<ConnectionValidateException>(() => Validate(start));

        Assert.Equal("s", ex.NodeId);
    }

    // start -> a -> end, plus a dangling activity b with no incoming flow (a -> b as a second outgoing is illegal)
    [Fact]
    public void Validate_ActivityWithTwoOutgoing_FailsOnThatActivity()
    {
        var start = new EmptyStartEvent("s");
        var a = Act("a");
        start.Extend(a).Connect(Act("b"), new EmptyEndEvent("e"));

        var ex = Assert.Throws<ConnectionValidateException>(() => Validate(start));

        Assert.Equal("a", ex.NodeId);
        Assert.Contains("outgoing", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ActivityWithoutOutgoing_FailsOnThatActivity()
    {
        var start = new EmptyStartEvent("s");
        start.Extend(Act("a"));
        var tree = PipelineBuilder.BuildTreeJson(start, "p");
        tree["end_event"] = new System.Text.Json.Nodes.JsonObject { ["id"] = "e", ["type"] = "EmptyEndEvent", ["incoming"] = "", ["outgoing"] = "" };

        var ex = Assert.Throws<ConnectionValidateException>(() => new PipelineValidator().Validate(Pipeline.Parse(tree.ToJsonString())));

        Assert.Equal("e", ex.NodeId);
    }

    [Fact]
    public void Validate_UnregisteredEndEventType_FailsNamingTheType()
    {
        var start = new EmptyStartEvent("s");
        start.Extend(Act("a")).Extend(new ExecutableEndEvent("UnknownEnd", "e"));

        var ex = Assert.Throws<ConnectionValidateException>(() => Validate(start));

        Assert.Contains("UnknownEnd", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_FlowToMissingNode_FailsNamingTheFlow()
    {
        var start = new EmptyStartEvent("s");
        start.Extend(Act("a")).Extend(new EmptyEndEvent("e"));
        var tree = PipelineBuilder.BuildTreeJson(start, "p");
        var flow = tree["flows"]!.AsObject().First().Value!;
        flow["target"] = "ghost";

        var ex = Assert.Throws<ConnectionValidateException>(() => new PipelineValidator().Validate(Pipeline.Parse(tree.ToJsonString())));

        Assert.Contains("ghost", ex.Message, StringComparison.Ordinal);
    }

    // start -> a -> eg -> {a, end}
    [Fact]
    public void Validate_LoopWithoutCycleTolerate_Fails_AndWithItPasses()
    {
        var start = new EmptyStartEvent("s");
        var a = Act("a");
        start.Extend(a).Extend(new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 1", [1] = "1 == 0" }, id: "eg")).Connect(a, new EmptyEndEvent("e"));

        Assert.Throws<TreeInvalidException>(() => Validate(start));
        var validated = Validate(start, cycleTolerate: true);

        Assert.Null(validated.Gateways["eg"].ConvergeGatewayId);
    }

    // start -> pg -> {a -> cg1, b -> cg2}; cg1, cg2 -> end ... (two converges)
    [Fact]
    public void Validate_ParallelBranchesToTwoConverges_FailsOnTheParallelGateway()
    {
        var start = new EmptyStartEvent("s");
        var pg = new ParallelGateway("pg");
        var end = new EmptyEndEvent("e");
        start.Extend(pg).Connect(Act("a"), Act("b"));
        pg.Outgoing[0].Extend(new ConvergeGateway("cg1")).Extend(end);
        pg.Outgoing[1].Extend(new ConvergeGateway("cg2")).Extend(end);

        var ex = Assert.Throws<ConvergeMatchException>(() => Validate(start));

        Assert.Equal("pg", ex.GatewayId);
    }

    // start -> pg -> {a -> cg, b -> end}; cg -> end
    [Fact]
    public void Validate_ParallelBranchStraightToEnd_FailsOnTheParallelGateway()
    {
        var start = new EmptyStartEvent("s");
        var pg = new ParallelGateway("pg");
        var end = new EmptyEndEvent("e");
        start.Extend(pg).Connect(Act("a"), Act("b"));
        pg.Outgoing[0].Extend(new ConvergeGateway("cg")).Extend(end);
        pg.Outgoing[1].Extend(end);

        var ex = Assert.Throws<ConvergeMatchException>(() => Validate(start));

        Assert.Equal("pg", ex.GatewayId);
    }

    // start -> pg1 -> {pg2 -> {a, b} -> cg1, c} -> cg2 -> end
    [Fact]
    public void Validate_NestedParallel_PairsEachGatewayWithItsConverge()
    {
        var start = new EmptyStartEvent("s");
        var pg1 = new ParallelGateway("pg1");
        var pg2 = new ParallelGateway("pg2");
        start.Extend(pg1).Connect(pg2, Act("c"));
        pg2.Connect(Act("a"), Act("b"));
        pg2.Converge(new ConvergeGateway("cg1"));
        pg1.Converge(new ConvergeGateway("cg2")).Extend(new EmptyEndEvent("e"));

        var validated = Validate(start);

        Assert.Equal("cg1", validated.Gateways["pg2"].ConvergeGatewayId);
        Assert.Equal("cg2", validated.Gateways["pg1"].ConvergeGatewayId);
    }

    // start -> eg -> {a, b} -> end (branches merge on the end, no converge)
    [Fact]
    public void Validate_ExclusiveBranchesToEnd_HasNoConverge()
    {
        var start = new EmptyStartEvent("s");
        var eg = new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 1", [1] = "1 == 0" }, id: "eg");
        var end = new EmptyEndEvent("e");
        start.Extend(eg).Connect(Act("a"), Act("b"));
        eg.Outgoing[0].Extend(end);
        eg.Outgoing[1].Extend(end);

        var validated = Validate(start);

        Assert.Null(validated.Gateways["eg"].ConvergeGatewayId);
    }

    // start -> pg -> {eg -> {x -> cg, end}, b -> cg}; cg -> end
    [Fact]
    public void Validate_ExclusiveInsideParallelJumpingToEnd_FailsOnTheExclusiveGateway()
    {
        var start = new EmptyStartEvent("s");
        var pg = new ParallelGateway("pg");
        var eg = new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 1", [1] = "1 == 0" }, id: "eg");
        var cg = new ConvergeGateway("cg");
        var end = new EmptyEndEvent("e");
        start.Extend(pg).Connect(eg, Act("b"));
        eg.Connect(Act("x"), end);
        eg.Outgoing[0].Extend(cg);
        pg.Outgoing[1].Extend(cg);
        cg.Extend(end);

        var ex = Assert.Throws<ConvergeMatchException>(() => Validate(start));

        Assert.Equal("eg", ex.GatewayId);
    }

    // start -> pg -> {a, b} -> cg -> end, plus eg on the main line before pg jumping into branch b
    [Fact]
    public void Validate_MainLineJumpIntoParallelBranch_FailsStreamValidation()
    {
        var start = new EmptyStartEvent("s");
        var eg = new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 1", [1] = "1 == 0" }, id: "eg");
        var pg = new ParallelGateway("pg");
        var b = Act("b");
        start.Extend(eg).Connect(pg, b);
        pg.Connect(Act("a"), b);
        pg.Converge(new ConvergeGateway("cg")).Extend(new EmptyEndEvent("e"));

        Assert.ThrowsAny<TreeInvalidException>(() => Validate(start));
    }

    // start -> a -> pg -> {b, c} -> cg -> d -> end
    [Theory]
    [InlineData("a", true)]
    [InlineData("pg", true)]
    [InlineData("d", true)]
    [InlineData("b", false)]
    [InlineData("cg", false)]
    [InlineData("e", false)]
    public void ValidateStartNode_MainLineOnly(string nodeId, bool allowed)
    {
        var start = new EmptyStartEvent("s");
        var pg = new ParallelGateway("pg");
        start.Extend(Act("a")).Extend(pg).Connect(Act("b"), Act("c"));
        pg.Converge(new ConvergeGateway("cg")).Extend(Act("d")).Extend(new EmptyEndEvent("e"));
        var validated = Validate(start);

        var check = () => PipelineValidator.ValidateStartNode(validated, nodeId);

        if (allowed)
        {
            check();
        }
        else
        {
            Assert.Throws<StartPositionInvalidException>(check);
        }
    }

    [Fact]
    public void Validate_DuplicateNodeIdAcrossLevels_Fails()
    {
        var inner = new EmptyStartEvent("sub_s");
        inner.Extend(Act("a")).Extend(new EmptyEndEvent("sub_e"));
        var start = new EmptyStartEvent("s");
        start.Extend(Act("a")).Extend(new SubProcess(inner, id: "sub")).Extend(new EmptyEndEvent("e"));

        var ex = Assert.Throws<ConnectionValidateException>(() => Validate(start));

        Assert.Equal("a", ex.NodeId);
    }

    // start -> sub (sub_s -> sub_a -> sub_e) -> end, the embedded pipeline's own id being "other"
    [Fact]
    public void Validate_SubprocessPipelineWithAnotherId_TakesTheNodeId()
    {
        var inner = new EmptyStartEvent("sub_s");
        inner.Extend(Act("sub_a")).Extend(new EmptyEndEvent("sub_e"));
        var start = new EmptyStartEvent("s");
        start.Extend(new SubProcess(inner, id: "sub")).Extend(new EmptyEndEvent("e"));
        var tree = PipelineBuilder.BuildTreeJson(start, "p");
        tree["activities"]!["sub"]!["pipeline"]!["id"] = "other";
        var parsed = Pipeline.Parse(tree.ToJsonString());

        var validated = new PipelineValidator().Validate(parsed);

        Assert.Equal("other", ((SubProcessNode)parsed.Activities["sub"]).Pipeline.Id);
        Assert.Equal("sub", ((SubProcessNode)validated.Activities["sub"]).Pipeline.Id);
    }
}
