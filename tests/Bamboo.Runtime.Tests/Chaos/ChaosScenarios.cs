using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Building;
using Var = Bamboo.Engine.Building.Var;

namespace Bamboo.Runtime.Tests.Chaos;

/// <summary>
/// The situations of the reference engine's chaos tests (../shared/conformance/NOT_CONVERTED.md), each as a pipeline
/// and the nodes whose steps are faulted. Where the reference faults a runtime call our port has no counterpart for
/// (beat, wake_up, set_pipeline_stack), the step that does the same work is faulted at each of its operations instead.
/// </summary>
internal static class ChaosScenarios
{
    public static readonly IReadOnlyList<ChaosScenario> All = Build();

    public static ChaosScenario Named(string name) => All.Single(s => s.Name == name);

    private static Var Plain(JsonNode? value) => new(Var.Plain, value);

    private static ServiceActivity Act(string code = "chaos_act", JsonNode? input = null, bool errorIgnorable = false)
    {
        var act = new ServiceActivity(code, errorIgnorable: errorIgnorable);
        if (input is not null)
        {
            act.Inputs["in"] = Plain(input);
        }

        return act;
    }

    private static ChaosScenario Scenario(string name, EmptyStartEvent start, Dictionary<string, Element> nodes, string[] focus, Data? data = null)
    {
        var pipeline = PipelineBuilder.BuildTree(start, data: data);
        var ids = nodes.ToDictionary(kv => kv.Key, kv => kv.Value.Id);
        ids["pipeline"] = pipeline.Id;
        return new ChaosScenario(name, pipeline, ids, focus.Select(f => ids[f]).ToList());
    }

    private static List<ChaosScenario> Build()
    {
        var all = new List<ChaosScenario>();

        // start(pre_render_keys ${a} = ${b}_${c}) → act → end
        {
            var start = new EmptyStartEvent();
            var act = start.Extend(Act(input: "${a}"));
            var end = act.Extend(new EmptyEndEvent());
            var data = new Data();
            data.Inputs["${a}"] = new Var(Var.Splice, "${b}_${c}");
            data.Inputs["${b}"] = Plain("1");
            data.Inputs["${c}"] = Plain("2");
            data.PreRenderKeys.Add("${a}");
            all.Add(Scenario("empty_start_event", start, new() { ["start"] = start, ["act"] = act, ["end"] = end }, ["start"], data));
        }

        // start → act → end, the root exporting ${out} (act's output): the root pipeline finishes
        {
            var start = new EmptyStartEvent();
            var act = start.Extend(Act(input: "x"));
            var end = act.Extend(new EmptyEndEvent());
            var data = new Data();
            data.Inputs["${out}"] = new NodeOutput(act.Id, "out");
            data.Outputs.Add("${out}");
            all.Add(Scenario("root_pipeline_finish", start, new() { ["start"] = start, ["act"] = act, ["end"] = end }, ["end"], data));
            all.Add(Scenario("finish_die", start, new() { ["start"] = start, ["act"] = act, ["end"] = end }, ["pipeline"], data));
        }

        // start → sub[ start → act → end, exporting ${sub_out} ] → end: a subprocess ends and hands its outputs up
        {
            var innerStart = new EmptyStartEvent();
            var innerAct = innerStart.Extend(Act(input: "inner"));
            var innerEnd = innerAct.Extend(new EmptyEndEvent());
            var innerData = new Data();
            innerData.Inputs["${sub_out}"] = new NodeOutput(innerAct.Id, "out");
            innerData.Outputs.Add("${sub_out}");
            var start = new EmptyStartEvent();
            var sub = start.Extend(new SubProcess(innerStart, innerData));
            var end = sub.Extend(new EmptyEndEvent());
            all.Add(Scenario("not_root_pipeline_finish", start, new() { ["start"] = start, ["sub"] = sub, ["sub_act"] = innerAct, ["sub_end"] = innerEnd, ["end"] = end },
                ["sub_end"]) with { Pipelines = ["pipeline", "sub"] });
        }

        // start → act → executable end event that raises: the end event ends FAILED
        {
            var start = new EmptyStartEvent();
            var act = start.Extend(Act());
            var end = act.Extend(new ExecutableEndEvent("chaos_raise_end"));
            all.Add(Scenario("executable_end_event", start, new() { ["start"] = start, ["act"] = act, ["end"] = end }, ["end"])
                with { Ended = state => state("end") == NodeState.Failed });
        }

        // start → pg → act_1 | act_2 | act_3 → cg → end
        foreach (var (name, focus) in new[] { ("parallel_gateway", "pg"), ("converge_gateway", "cg") })
        {
            var start = new EmptyStartEvent();
            var pg = start.Extend(new ParallelGateway());
            var acts = Enumerable.Range(1, 3).Select(i => Act(input: i)).ToArray();
            pg.Connect(acts);
            var cg = pg.Converge(new ConvergeGateway());
            var end = cg.Extend(new EmptyEndEvent());
            all.Add(Scenario(name, start, new() { ["start"] = start, ["pg"] = pg, ["act_1"] = acts[0], ["act_2"] = acts[1], ["act_3"] = acts[2], ["cg"] = cg, ["end"] = end }, [focus]));
        }

        // start → pg → (act_1 → act_4) | act_2 | act_3 → cg → end: children finish one by one, and the last joins
        {
            var start = new EmptyStartEvent();
            var pg = start.Extend(new ParallelGateway());
            var acts = Enumerable.Range(1, 3).Select(i => Act(input: i)).ToArray();
            pg.Connect(acts);
            var act4 = acts[0].Extend(Act(input: 4));
            var cg = pg.Converge(new ConvergeGateway());
            var end = cg.Extend(new EmptyEndEvent());
            all.Add(Scenario("join", start, new() { ["start"] = start, ["pg"] = pg, ["act_1"] = acts[0], ["act_2"] = acts[1], ["act_3"] = acts[2], ["act_4"] = act4, ["cg"] = cg, ["end"] = end },
                ["cg"]));
        }

        // ${a} = ${b}_${c}; start → eg('${a}' == '1_2' → act_1, else act_2) → cg → end
        {
            var data = new Data();
            data.Inputs["${a}"] = new Var(Var.Splice, "${b}_${c}");
            data.Inputs["${b}"] = Plain("1");
            data.Inputs["${c}"] = Plain("2");
            var start = new EmptyStartEvent();
            var eg = start.Extend(new ExclusiveGateway(new Dictionary<int, string> { [0] = "'${a}' == '1_2'", [1] = "True == False" }));
            var act1 = Act(input: 1);
            var act2 = Act(input: 2);
            eg.Connect(act1, act2);
            var cg = eg.Converge(new ConvergeGateway());
            var end = cg.Extend(new EmptyEndEvent());
            all.Add(Scenario("exclusive_gateway", start, new() { ["start"] = start, ["eg"] = eg, ["act_1"] = act1, ["act_2"] = act2, ["cg"] = cg, ["end"] = end }, ["eg"], data));
        }

        // start → cpg(three conditions on ${a}, all true) → act_1 | act_2 | act_3 → cg → end
        {
            var data = new Data();
            data.Inputs["${a}"] = new Var(Var.Splice, "${b}_${c}");
            data.Inputs["${b}"] = Plain("1");
            data.Inputs["${c}"] = Plain("2");
            var start = new EmptyStartEvent();
            var cpg = start.Extend(new ConditionalParallelGateway(new Dictionary<int, string>
            {
                [0] = "'${a}' == '1_2'", [1] = "'${b}' == '1'", [2] = "True == True",
            }));
            var acts = Enumerable.Range(1, 3).Select(i => Act(input: i)).ToArray();
            cpg.Connect(acts);
            var cg = cpg.Converge(new ConvergeGateway());
            var end = cg.Extend(new EmptyEndEvent());
            all.Add(Scenario("conditional_parallel_gateway", start, new() { ["start"] = start, ["cpg"] = cpg, ["act_1"] = acts[0], ["act_2"] = acts[1], ["act_3"] = acts[2], ["cg"] = cg, ["end"] = end },
                ["cpg"], data));
        }

        // start → sub(${p} = "passed")[ start → act(${p}) → end ] → end: entering a subprocess with params
        {
            var innerStart = new EmptyStartEvent();
            var innerAct = innerStart.Extend(Act(input: "${p}"));
            var innerEnd = innerAct.Extend(new EmptyEndEvent());
            var innerData = new Data();
            innerData.Inputs["${p}"] = Plain("default");
            var start = new EmptyStartEvent();
            var sub = start.Extend(new SubProcess(innerStart, innerData, new Params { ["${p}"] = Plain("passed") }));
            var end = sub.Extend(new EmptyEndEvent());
            all.Add(Scenario("subprocess_params", start, new() { ["start"] = start, ["sub"] = sub, ["sub_act"] = innerAct, ["sub_end"] = innerEnd, ["end"] = end },
                ["sub"]) with { Pipelines = ["pipeline", "sub"] });
        }

        // start → act → end, act's output exported to the root context: execute, its data and its context value
        {
            var start = new EmptyStartEvent();
            var act = start.Extend(Act(input: "${b}"));
            var end = act.Extend(new EmptyEndEvent());
            var data = new Data();
            data.Inputs["${b}"] = Plain("1");
            data.Inputs["${out}"] = new NodeOutput(act.Id, "out");
            all.Add(Scenario("activity_execute", start, new() { ["start"] = start, ["act"] = act, ["end"] = end }, ["act"], data));
        }

        // start → act_1 → act_2 → end: the execute loop itself, every step faulted
        {
            var start = new EmptyStartEvent();
            var act1 = start.Extend(Act(input: 1));
            var act2 = act1.Extend(Act(input: 2));
            var end = act2.Extend(new EmptyEndEvent());
            all.Add(Scenario("execute_loop", start, new() { ["start"] = start, ["act_1"] = act1, ["act_2"] = act2, ["end"] = end }, ["start", "act_1", "act_2", "end", "pipeline"]));
        }

        // start → failing act → end: the act ends FAILED, the pipeline waits; error-ignorable, the pipeline finishes
        foreach (var (name, ignorable) in new[] { ("execute_failed", false), ("execute_failed_error_ignore", true) })
        {
            var start = new EmptyStartEvent();
            var act = start.Extend(Act("chaos_fail", errorIgnorable: ignorable));
            var end = act.Extend(new EmptyEndEvent());
            var data = new Data();
            data.Inputs["${out}"] = new NodeOutput(act.Id, "out");
            var scenario = Scenario(name, start, new() { ["start"] = start, ["act"] = act, ["end"] = end }, ["act"], data);
            all.Add(ignorable ? scenario : scenario with { Ended = state => state("act") == NodeState.Failed });
        }

        // start → polled act → end: execute, the schedule prepared, one poll that finishes it (or fails it)
        foreach (var (name, code, ignorable) in new[]
        {
            ("schedule", "chaos_poll", false), ("schedule_failed", "chaos_schedule_fail", false), ("schedule_failed_error_ignore", "chaos_schedule_fail", true),
        })
        {
            var start = new EmptyStartEvent();
            var act = start.Extend(Act(code, errorIgnorable: ignorable));
            var end = act.Extend(new EmptyEndEvent());
            var data = new Data();
            data.Inputs["${out}"] = new NodeOutput(act.Id, "out");
            var scenario = Scenario(name, start, new() { ["start"] = start, ["act"] = act, ["end"] = end }, ["act"], data);
            all.Add(name == "schedule_failed" ? scenario with { Ended = state => state("act") == NodeState.Failed } : scenario);
        }

        // start → callback act → end: an operator's callback finishes it
        {
            var start = new EmptyStartEvent();
            var act = start.Extend(Act("chaos_callback"));
            var end = act.Extend(new EmptyEndEvent());
            all.Add(Scenario("callback", start, new() { ["start"] = start, ["act"] = act, ["end"] = end }, ["act"]) with
            {
                Operator = async op =>
                {
                    await op.WaitStateAsync("act", NodeState.Running);
                    await WaitUntil.TrueAsync(async () =>
                    {
                        var version = (await op.Engine.Store.ReadAsync(tx => tx.States.GetAsync(op.Scenario.Id("act"))))!.Version;
                        return (await EngineApi.CallbackAsync(op.Engine, op.Scenario.Id("act"), version, new JsonObject { ["value"] = "called back" })).Result;
                    }, TimeSpan.FromSeconds(20), "the callback to be taken");
                },
            });
        }

        // start → gate → act → end: while the gate's execute runs an operator revokes (pauses) the pipeline; the
        // process then dies (suspends) in front of act
        foreach (var (name, ended) in new[] { ("revoke_die", NodeState.Revoked), ("pipeline_suspended", NodeState.Suspended) })
        {
            var start = new EmptyStartEvent();
            var gate = start.Extend(Act("chaos_gate"));
            var act = gate.Extend(Act());
            var end = act.Extend(new EmptyEndEvent());
            all.Add(Scenario(name, start, new() { ["start"] = start, ["gate"] = gate, ["act"] = act, ["end"] = end }, ["gate", "act"]) with
            {
                Ended = state => state("pipeline") == ended,
                Operator = async op =>
                {
                    await op.WaitStateAsync("gate", NodeState.Running);
                    var id = op.Scenario.Id("pipeline");
                    var done = ended == NodeState.Revoked ? await EngineApi.RevokePipelineAsync(op.Engine, id) : await EngineApi.PausePipelineAsync(op.Engine, id);
                    Assert.True(done.Result, done.Message);
                    op.OpenGate();
                },
            });
        }

        // start → act → eg(always back to act) with a rerun limit of 3: act runs 4 times, then fails on the limit
        {
            var start = new EmptyStartEvent();
            var act = start.Extend(Act());
            var eg = act.Extend(new ExclusiveGateway(new Dictionary<int, string> { [0] = "True == True", [1] = "True == False" }));
            var end = new EmptyEndEvent();
            eg.Connect(act, end);
            all.Add(Scenario("node_rerun_limit", start, new() { ["start"] = start, ["act"] = act, ["eg"] = eg, ["end"] = end }, ["act"]) with
            {
                RunOptions = new RunPipelineOptions { CycleTolerate = true },
                RerunLimit = 3,
                Ended = state => state("act") == NodeState.Failed,
            });
        }

        return all;
    }
}
