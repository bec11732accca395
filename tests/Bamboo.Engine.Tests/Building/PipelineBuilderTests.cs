using System.Text.Json.Nodes;
using Bamboo.Engine.Building;

namespace Bamboo.Engine.Tests.Building;

/// <summary>Rebuilds conformance trees with the C# builder and compares them with the Python builder's output, flow ids aside.</summary>
public sealed class PipelineBuilderTests
{
    private static JsonObject Nodes(JsonObject scenario) => scenario["nodes"]!.AsObject();

    private static string Id(JsonObject scenario, string alias) => Nodes(scenario)[alias]!.GetValue<string>();

    private static ServiceActivity Act(JsonObject s, string alias, string code = "debug_node") => new(code, Id(s, alias));

    private static void AssertSameTree(JsonObject scenario, EmptyStartEvent start, Data? data = null)
    {
        var built = PipelineBuilder.BuildTreeJson(start, Id(scenario, "pipeline"), data);

        var expected = TreeShape.Canonical(scenario["pipeline"]!.AsObject());
        var actual = TreeShape.Canonical(built);
        Assert.True(TreeShape.Equal(expected, actual), $"expected {expected.ToJsonString()}\nactual   {actual.ToJsonString()}");
    }

    // start -> act_1 -> end
    [Fact]
    public void BuildTree_OneNode_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("execution/basic/one_node");
        var start = new EmptyStartEvent(Id(s, "start"));

        start.Extend(Act(s, "act_1")).Extend(new EmptyEndEvent(Id(s, "end")));

        AssertSameTree(s, start);
    }

    // start -> pg -> acts[0..9] (0..4 followed by additional_act) -> cg -> end
    [Fact]
    public void BuildTree_Parallel_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("execution/parallel/basic");
        var start = new EmptyStartEvent(Id(s, "start"));
        var pg = new ParallelGateway(Id(s, "pg"));
        var acts = Enumerable.Range(0, 10).Select(i => Act(s, $"acts[{i}]")).ToArray();

        start.Extend(pg).Connect(acts);
        for (var i = 0; i < 5; i++)
        {
            acts[i].Extend(Act(s, $"additional_act[{i}]"));
        }

        pg.Converge(new ConvergeGateway(Id(s, "cg"))).Extend(new EmptyEndEvent(Id(s, "end")));

        AssertSameTree(s, start);
    }

    // start -> eg -> acts[0..2] -> cg -> end
    [Fact]
    public void BuildTree_Exclusive_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("execution/exclusive/basic");
        var start = new EmptyStartEvent(Id(s, "start"));
        var eg = new ExclusiveGateway(new Dictionary<int, string> { [0] = "True == True", [1] = "True == False", [2] = "True == False" }, id: Id(s, "eg"));

        start.Extend(eg).Connect(Act(s, "acts[0]"), Act(s, "acts[1]"), Act(s, "acts[2]"));
        eg.Converge(new ConvergeGateway(Id(s, "cg"))).Extend(new EmptyEndEvent(Id(s, "end")));

        AssertSameTree(s, start);
    }

    // start -> cpg -> acts[0..4] (default: 1) -> cg -> end
    [Fact]
    public void BuildTree_ConditionalParallelWithDefault_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("execution/conditional_parallel/no_match_with_default");
        var start = new EmptyStartEvent(Id(s, "start"));
        var conditions = Enumerable.Range(0, 5).ToDictionary(i => i, _ => "True == False");
        var cpg = new ConditionalParallelGateway(conditions, defaultIndex: 1, id: Id(s, "cpg"));

        start.Extend(cpg).Connect(Enumerable.Range(0, 5).Select(i => (Element)Act(s, $"acts[{i}]")).ToArray());
        cpg.Converge(new ConvergeGateway(Id(s, "cg"))).Extend(new EmptyEndEvent(Id(s, "end")));

        AssertSameTree(s, start);
    }

    // parent_start -> parent_subproc[start -> subproc[subproc_start -> act -> end] -> end] -> parent_end
    [Fact]
    public void BuildTree_NestedSubprocess_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("execution/subprocess/nested");
        var innerStart = new EmptyStartEvent(Id(s, "subproc_start"));
        innerStart.Extend(Act(s, "subproc_act")).Extend(new EmptyEndEvent(Id(s, "subproc_end")));
        var middleStart = new EmptyStartEvent(Id(s, "start"));
        middleStart.Extend(new SubProcess(innerStart, id: Id(s, "subproc"))).Extend(new EmptyEndEvent(Id(s, "end")));
        var start = new EmptyStartEvent(Id(s, "parent_start"));

        start.Extend(new SubProcess(middleStart, id: Id(s, "parent_subproc"))).Extend(new EmptyEndEvent(Id(s, "parent_end")));

        AssertSameTree(s, start);
    }

    // start -> subproc[sub_start -> act -> MyTestEndEvent] -> MyTestEndEvent
    [Fact]
    public void BuildTree_ExecutableEndEvents_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("execution/executable_end_event/in_subprocess");
        var subStart = new EmptyStartEvent(Id(s, "sub_start"));
        subStart.Extend(Act(s, "act")).Extend(new ExecutableEndEvent("MyTestEndEvent", Id(s, "sub_end")));
        var start = new EmptyStartEvent(Id(s, "start"));

        start.Extend(new SubProcess(subStart, id: Id(s, "subproc"))).Extend(new ExecutableEndEvent("MyTestEndEvent", Id(s, "end")));

        var built = TreeShape.Canonical(PipelineBuilder.BuildTreeJson(start, Id(s, "pipeline")));
        var expected = TreeShape.Canonical(s["pipeline"]!.AsObject());
        // The only deliberate difference: our builder writes a list of incoming flows on executable end events.
        TreeShape.ListifyEndIncoming(expected);
        Assert.True(TreeShape.Equal(expected, built), $"expected {expected.ToJsonString()}\nactual   {built.ToJsonString()}");
    }

    // start -> act_1 (param_1 plain) -> act_2 (param_2 = ${act_1_output}) -> end; ${act_1_output} <- act_1.param_1
    [Fact]
    public void BuildTree_NodeOutput_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("data/node_ref_output/activity_output");
        var act1 = Act(s, "act_1");
        act1.Inputs["param_1"] = new Var(Var.Plain, "output_value_1");
        var act2 = Act(s, "act_2");
        act2.Inputs["param_2"] = new Var(Var.Splice, "${act_1_output}");
        var start = new EmptyStartEvent(Id(s, "start"));
        start.Extend(act1).Extend(act2).Extend(new EmptyEndEvent(Id(s, "end")));
        var data = new Data();

        data.Inputs["${act_1_output}"] = new NodeOutput(act1.Id, "param_1", Var.Splice);

        AssertSameTree(s, start, data);
    }

    // act_1 -> act_2 -> act_3, ${rewritable_output} <- act_1.param_1, act_2.param_2
    [Fact]
    public void BuildTree_RewritableOutput_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("data/rewritable_output/two_sources");
        var act1 = Act(s, "act_1");
        act1.Inputs["param_1"] = new Var(Var.Plain, "output_value_1");
        var act2 = Act(s, "act_2");
        act2.Inputs["context_var"] = new Var(Var.Splice, "${rewritable_output}");
        act2.Inputs["param_2"] = new Var(Var.Plain, "output_value_2");
        var act3 = Act(s, "act_3");
        act3.Inputs["context_var"] = new Var(Var.Splice, "${rewritable_output}");
        var start = new EmptyStartEvent(Id(s, "start"));
        start.Extend(act1).Extend(act2).Extend(act3).Extend(new EmptyEndEvent(Id(s, "end")));
        var data = new Data();

        data.Inputs["${rewritable_output}"] = new RewritableNodeOutput([(act1.Id, "param_1"), (act2.Id, "param_2")], Var.Splice);

        AssertSameTree(s, start, data);
    }

    // start -> subprocess(params ${sub_constant_1} = ${constant_1}) -> end
    [Fact]
    public void BuildTree_SubprocessParams_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("data/subprocess_ref_constant/param_from_constant");
        var subAct = Act(s, "sub_act_1");
        subAct.Inputs["param_1"] = new Var(Var.Splice, "${sub_constant_1}");
        var subStart = new EmptyStartEvent(Id(s, "sub_start"));
        subStart.Extend(subAct).Extend(new EmptyEndEvent(Id(s, "sub_end")));
        var subData = new Data();
        subData.Inputs["${sub_constant_1}"] = new DataInput(Var.Plain, "default_value");
        var parameters = new Params { ["${sub_constant_1}"] = new Var(Var.Splice, "${constant_1}") };
        var data = new Data();
        data.Inputs["${constant_1}"] = new Var(Var.Plain, "value_1");
        var start = new EmptyStartEvent(Id(s, "start"));

        start.Extend(new SubProcess(subStart, subData, parameters, Id(s, "subprocess"))).Extend(new EmptyEndEvent(Id(s, "end")));

        AssertSameTree(s, start, data);
    }

    // start -> act_1 -> act_2 -> eg -> {act_1 (loop), end}
    [Fact]
    public void BuildTree_Loop_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("advanced/rerun/single_node_loop");
        var act1 = Act(s, "act_1");
        var act2 = Act(s, "act_2", "loop_count_node");
        act2.Inputs["input_a"] = new Var(Var.Splice, "${input_a}");
        var eg = new ExclusiveGateway(new Dictionary<int, string> { [0] = "${a_i} < ${c}", [1] = "${a_i} >= ${c}" }, id: Id(s, "eg"));
        var start = new EmptyStartEvent(Id(s, "start"));
        start.Extend(act1).Extend(act2).Extend(eg).Connect(act1, new EmptyEndEvent(Id(s, "end")));
        var data = new Data();
        data.Inputs["${a_i}"] = new NodeOutput(act2.Id, "_loop", Var.Splice);
        data.Inputs["${input_a}"] = new Var(Var.Splice, "${l.split(\",\")[a_i]}");
        data.Inputs["${l}"] = new Var(Var.Plain, "a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t");
        data.Inputs["${c}"] = new Var(Var.Plain, "4");

        AssertSameTree(s, start, data);
    }

    // start -> before_cpg -> cpg -> {act_executed_1 -> act_executed_2, act_will_not_executed} -> converge -> end
    [Fact]
    public void BuildTree_ConditionalParallelUnevenBranches_MatchesPythonBuilder()
    {
        var s = Corpus.Scenario("control/skip_conditional_parallel_gateway/no_branch_matches");
        var cpg = new ConditionalParallelGateway(new Dictionary<int, string> { [0] = "True == False", [1] = "True == False" }, id: Id(s, "cpg"));
        var executed1 = Act(s, "act_executed_1");
        var start = new EmptyStartEvent(Id(s, "start"));
        start.Extend(Act(s, "before_cpg")).Extend(cpg).Connect(executed1, Act(s, "act_will_not_executed"));
        executed1.Extend(Act(s, "act_executed_2"));

        cpg.Converge(new ConvergeGateway(Id(s, "converge"))).Extend(new EmptyEndEvent(Id(s, "end")));

        AssertSameTree(s, start);
    }

    [Fact]
    public void BuildTree_GatewayBranchWithoutCondition_FailsNamingTheGateway()
    {
        var start = new EmptyStartEvent();
        var eg = new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 1" }, id: "eg_missing");
        start.Extend(eg).Connect(new ServiceActivity("debug_node"), new ServiceActivity("debug_node"));

        var ex = Assert.Throws<Bamboo.Engine.Exceptions.PipelineFormatException>(() => PipelineBuilder.BuildTree(start));

        Assert.Contains("eg_missing", ex.Message, StringComparison.Ordinal);
    }
}
