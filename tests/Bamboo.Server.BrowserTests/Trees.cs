using System.Text.Json.Nodes;
using Bamboo.Engine.Building;

namespace Bamboo.Server.BrowserTests;

/// <summary>
/// The pipelines the tests start, with ids of their own (one suffix per instance) so the page can be asked about their
/// nodes. Each kind of tree at most once per instance: node ids are unique in a store.
/// </summary>
internal sealed class Trees
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];

    /// <summary>The id a node gets in trees of this instance.</summary>
    public string Id(string name) => $"{name}_{_suffix}";

    /// <summary>
    /// <code>
    ///                         ┌─ unit tests ───────────┐
    /// start → checkout → fan out                     join → publish [start → upload → announce → end] → end
    ///                         └─ integration tests ────┘
    /// </code>
    /// integration tests is fail_ctrl_node with bit 0: it fails until retried with <c>{"bit": 1}</c>.
    /// </summary>
    public JsonObject Release()
    {
        var innerStart = new EmptyStartEvent(Id("pub_start"), "start");
        innerStart.Extend(Activity("example_component", "upload", "upload artifacts"))
            .Extend(Activity("example_component", "announce", "announce release"))
            .Extend(new EmptyEndEvent(Id("pub_end"), "end"));

        var start = new EmptyStartEvent(Id("release_start"), "start");
        var fanOut = start.Extend(Activity("example_component", "checkout", "checkout sources")).Extend(new ParallelGateway(Id("fan_out"), "fan out"));
        fanOut.Connect(Activity("example_component", "unit", "unit tests"), Activity("fail_ctrl_node", "integration", "integration tests", ("bit", 0)))
            .Converge(new ConvergeGateway(Id("join"), "join"))
            .Extend(new SubProcess(innerStart, id: Id("publish"), name: "publish"))
            .Extend(new EmptyEndEvent(Id("release_end"), "end"));
        return PipelineBuilder.BuildTreeJson(start, Id("release"));
    }

    /// <summary>start → build → approval (callback_node: waits for a callback) → end.</summary>
    public JsonObject Approval()
    {
        var start = new EmptyStartEvent(Id("approval_start"), "start");
        start.Extend(Activity("example_component", "build", "build"))
            .Extend(Activity("callback_node", "approval", "approval"))
            .Extend(new EmptyEndEvent(Id("approval_end"), "end"));
        return PipelineBuilder.BuildTreeJson(start, Id("approval_run"));
    }

    /// <summary>
    /// <code>
    ///                        ┌─ 1 == 0 → big order ───┐
    /// start → size? (exclusive)                       join → end
    ///                        └─ 1 == 0 → small order ─┘
    /// </code>
    /// No condition holds: the gateway fails until it is skipped along a chosen flow.
    /// </summary>
    public JsonObject Undecided()
    {
        var start = new EmptyStartEvent(Id("undecided_start"), "start");
        start.Extend(new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 0", [1] = "1 == 0" }, id: Id("size"), name: "size?"))
            .Connect(Activity("example_component", "big", "big order"), Activity("example_component", "small", "small order"))
            .Converge(new ConvergeGateway(Id("undecided_join"), "join"))
            .Extend(new EmptyEndEvent(Id("undecided_end"), "end"));
        return PipelineBuilder.BuildTreeJson(start, Id("undecided"));
    }

    /// <summary>start → approval (callback_node) → deploy → end: deploy waits behind the callback.</summary>
    public JsonObject ApprovalThenDeploy()
    {
        var start = new EmptyStartEvent(Id("gated_start"), "start");
        start.Extend(Activity("callback_node", "gate", "approval"))
            .Extend(Activity("example_component", "deploy", "deploy"))
            .Extend(new EmptyEndEvent(Id("gated_end"), "end"));
        return PipelineBuilder.BuildTreeJson(start, Id("gated"));
    }

    /// <summary>start → greet → end: finishes at once.</summary>
    public JsonObject Hello()
    {
        var start = new EmptyStartEvent(Id("hello_start"), "start");
        start.Extend(Activity("example_component", "greet", "greet")).Extend(new EmptyEndEvent(Id("hello_end"), "end"));
        return PipelineBuilder.BuildTreeJson(start, Id("hello"));
    }

    /// <summary>start → check (fail_ctrl_node, bit 0) → end: stops at a failed node.</summary>
    public JsonObject Failing()
    {
        var start = new EmptyStartEvent(Id("failing_start"), "start");
        start.Extend(Activity("fail_ctrl_node", "check", "check", ("bit", 0))).Extend(new EmptyEndEvent(Id("failing_end"), "end"));
        return PipelineBuilder.BuildTreeJson(start, Id("failing"));
    }

    private ServiceActivity Activity(string code, string id, string name, params (string Key, JsonNode? Value)[] inputs)
    {
        var activity = new ServiceActivity(code, Id(id), name);
        foreach (var (key, value) in inputs)
        {
            activity.Inputs[key] = new Var(Var.Plain, value);
        }

        return activity;
    }
}
