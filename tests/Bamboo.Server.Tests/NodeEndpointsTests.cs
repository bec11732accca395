using System.Net;
using System.Text.Json.Nodes;
using Bamboo.Engine.Building;

namespace Bamboo.Server.Tests;

/// <summary>/api/nodes/{id}: the node queries and the operator functions, each with a success and a refusal.</summary>
public sealed class NodeEndpointsTests(AnonymousServer server) : IClassFixture<AnonymousServer>
{
    private readonly HttpClient _sut = server.Client();

    /// <summary>start → fail_ctrl_node (fails: no bit) → end, stopped at the failed node.</summary>
    private async Task<(string Run, string Node)> FailedAsync()
    {
        var failing = new ServiceActivity("fail_ctrl_node");
        var id = await _sut.StartAsync(Trees.Sequence(failing));
        Assert.Equal("failed", (string?)(await _sut.WaitAsync(id))["end"]);
        return (id, failing.Id);
    }

    /// <summary>start → callback_node (waits) → empty_node → end, stopped at the callback.</summary>
    private async Task<(string Run, string Waiting, string Next)> WaitingAsync()
    {
        var waiting = new ServiceActivity("callback_node");
        var next = new ServiceActivity("empty_node");
        var id = await _sut.StartAsync(Trees.Sequence(waiting, next));
        Assert.Equal("waiting_for_callback", (string?)(await _sut.WaitAsync(id))["end"]);
        return (id, waiting.Id, next.Id);
    }

    [Fact]
    public async Task Get_FailedNode_ErrorAndActions()
    {
        var (run, node) = await FailedAsync();

        var detail = await _sut.GetJsonAsync($"/api/nodes/{node}");

        Assert.Equal("FAILED", (string?)detail["node"]!["state"]);
        Assert.Equal(run, (string?)detail["root_id"]);
        Assert.False(string.IsNullOrEmpty((string?)detail["error"]));
        Assert.Equal(["retry_node", "skip_node"], detail["actions"]!.AsArray().Select(a => (string?)a));
        Assert.NotNull(detail["raw_inputs"]);
        Assert.NotNull(detail["histories"]);
    }

    [Fact]
    public async Task Queries_FinishedNode_BambooShapes()
    {
        var act = Trees.Activity("pipe_example_component", ("greeting", "hi"));
        var id = await _sut.StartAsync(Trees.Sequence(act));
        await _sut.WaitAsync(id);

        var children = await (await _sut.GetAsync($"/api/nodes/{id}/children-states")).EngineAsync();
        var execution = await (await _sut.GetAsync($"/api/nodes/{act.Id}/execution-data")).EngineAsync();
        var inputs = await (await _sut.GetAsync($"/api/nodes/{act.Id}/inputs")).EngineAsync();
        var outputs = await (await _sut.GetAsync($"/api/nodes/{act.Id}/outputs")).EngineAsync();
        var data = await (await _sut.GetAsync($"/api/nodes/{act.Id}/data")).EngineAsync();
        var histories = await (await _sut.GetAsync($"/api/nodes/{act.Id}/histories")).EngineAsync();
        var shortHistories = await (await _sut.GetAsync($"/api/nodes/{act.Id}/short-histories?loop=1")).EngineAsync();

        Assert.NotNull(children["data"]![id]!["children"]![act.Id]);
        Assert.Equal("hi", (string?)execution["data"]!["inputs"]!["greeting"]);
        Assert.Equal("hi", (string?)inputs["data"]!["greeting"]);
        Assert.IsType<JsonObject>(outputs["data"]);
        Assert.Equal("hi", (string?)data["data"]!["inputs"]!["greeting"]!["value"]);
        Assert.IsType<JsonArray>(histories["data"]);
        Assert.IsType<JsonArray>(shortHistories["data"]);
    }

    [Fact]
    public async Task ExecutionData_NodeNotRunYet_RefusedWithTheReason()
    {
        var (_, _, next) = await WaitingAsync();

        var refused = await (await _sut.GetAsync($"/api/nodes/{next}/execution-data")).EngineAsync(result: false);

        Assert.Contains(next, (string?)refused["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Histories_BadLoop_ProblemNamesIt()
    {
        var (_, node) = await FailedAsync();

        await (await _sut.GetAsync($"/api/nodes/{node}/histories?loop=x")).ProblemAsync(HttpStatusCode.BadRequest, "loop");
        await (await _sut.GetAsync($"/api/nodes/{node}/short-histories?loop=-2")).ProblemAsync(HttpStatusCode.BadRequest, "loop");
    }

    [Fact]
    public async Task Retry_FailedNodeWithNewInputs_Finishes()
    {
        var (run, node) = await FailedAsync();

        await (await _sut.PostAsync($"/api/nodes/{node}/retry", new JsonObject { ["data"] = new JsonObject { ["bit"] = 1 } })).EngineAsync();

        Assert.Equal("finished", (string?)(await _sut.WaitAsync(run))["end"]);
        Assert.Single((await _sut.GetJsonAsync($"/api/nodes/{node}"))["histories"]!.AsArray());
    }

    [Fact]
    public async Task Retry_NodeNotFailed_RefusedWithTheReason()
    {
        var (_, waiting, _) = await WaitingAsync();

        var refused = await (await _sut.PostAsync($"/api/nodes/{waiting}/retry")).EngineAsync(result: false);

        Assert.Contains("not FAILED", (string?)refused["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retry_DataNotAnObject_ProblemNamesIt()
    {
        var (_, node) = await FailedAsync();

        await (await _sut.PostAsync($"/api/nodes/{node}/retry", new JsonObject { ["data"] = "bit=1" })).ProblemAsync(HttpStatusCode.BadRequest, "data");
    }

    [Fact]
    public async Task Skip_FailedNode_Finishes()
    {
        var (run, node) = await FailedAsync();

        await (await _sut.PostAsync($"/api/nodes/{node}/skip")).EngineAsync();

        Assert.Equal("finished", (string?)(await _sut.WaitAsync(run))["end"]);
    }

    [Fact]
    public async Task Skip_NodeNotFailed_RefusedWithTheReason()
    {
        var (_, waiting, _) = await WaitingAsync();

        var refused = await (await _sut.PostAsync($"/api/nodes/{waiting}/skip")).EngineAsync(result: false);

        Assert.Contains("not FAILED", (string?)refused["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetrySubprocess_NotASubprocess_RefusedWithTheReason()
    {
        var (_, node) = await FailedAsync();

        var refused = await (await _sut.PostAsync($"/api/nodes/{node}/retry-subprocess")).EngineAsync(result: false);

        Assert.Contains("not SubProcess", (string?)refused["message"], StringComparison.Ordinal);
    }

    // start -> sub(params: ${raise_var} = a lazy variable that raises; start -> debug_node -> end) -> end
    [Fact]
    public async Task RetrySubprocess_FailedSubprocess_RunsItAgain()
    {
        var inner = new EmptyStartEvent();
        inner.Extend(new ServiceActivity("debug_node")).Extend(new EmptyEndEvent());
        var parameters = new Params { ["${raise_var}"] = new Var(Var.Lazy, "", "raise_variable") };
        var sub = new SubProcess(inner, parameters: parameters);
        var id = await _sut.StartAsync(Trees.Sequence(sub));
        Assert.Equal("failed", (string?)(await _sut.WaitAsync(id))["end"]);

        await (await _sut.PostAsync($"/api/nodes/{sub.Id}/retry-subprocess")).EngineAsync();

        Assert.Equal("failed", (string?)(await _sut.WaitAsync(id))["end"]);
        Assert.Equal(1, (int?)(await _sut.GetJsonAsync($"/api/nodes/{sub.Id}"))["node"]!["retry"]);
    }

    /// <summary>start -> eg(all false) -> {a, b} -> cg -> end, run until the gateway failed.</summary>
    private async Task<(string RunId, ExclusiveGateway Gateway)> FailedExclusiveGatewayAsync()
    {
        var eg = new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 0", [1] = "1 == 0" });
        var start = new EmptyStartEvent();
        start.Extend(eg).Connect(new ServiceActivity("empty_node"), new ServiceActivity("empty_node"));
        eg.Converge(new ConvergeGateway()).Extend(new EmptyEndEvent());
        var id = await _sut.StartAsync(PipelineBuilder.BuildTree(start));
        Assert.Equal("failed", (string?)(await _sut.WaitAsync(id))["end"]);
        return (id, eg);
    }

    [Fact]
    public async Task SkipGateway_FailedExclusiveGateway_TakesTheFlow()
    {
        var (id, eg) = await FailedExclusiveGatewayAsync();
        var detail = await _sut.GetJsonAsync($"/api/nodes/{eg.Id}");
        Assert.Equal(["skip_exclusive_gateway", "retry_node"], detail["actions"]!.AsArray().Select(a => (string?)a));

        var wrong = await (await _sut.PostAsync($"/api/nodes/{eg.Id}/skip-gateway", new JsonObject { ["flow_id"] = "f_missing" })).EngineAsync(result: false);
        await (await _sut.PostAsync($"/api/nodes/{eg.Id}/skip-gateway", new JsonObject { ["flow_id"] = (string?)detail["flows"]![0] })).EngineAsync();

        Assert.Contains("f_missing", (string?)wrong["message"], StringComparison.Ordinal);
        Assert.Equal("finished", (string?)(await _sut.WaitAsync(id))["end"]);
    }

    [Fact]
    public async Task Retry_FailedExclusiveGateway_EvaluatesItsConditionsAgain()
    {
        var (id, eg) = await FailedExclusiveGatewayAsync();

        await (await _sut.PostAsync($"/api/nodes/{eg.Id}/retry", new JsonObject())).EngineAsync();

        Assert.Equal("failed", (string?)(await _sut.WaitAsync(id))["end"]);
        var detail = await _sut.GetJsonAsync($"/api/nodes/{eg.Id}");
        Assert.Equal(1, (int?)detail["node"]!["retry"]);
        Assert.Single(detail["histories"]!.AsArray());
    }

    [Fact]
    public async Task SkipGateway_NoFlowId_ProblemNamesIt()
    {
        var (_, node) = await FailedAsync();

        await (await _sut.PostAsync($"/api/nodes/{node}/skip-gateway", new JsonObject())).ProblemAsync(HttpStatusCode.BadRequest, "flow_id");
        await (await _sut.PostAsync($"/api/nodes/{node}/skip-gateway", new JsonObject { ["flow_id"] = 3 })).ProblemAsync(HttpStatusCode.BadRequest, "flow_id");
    }

    // start -> cpg(all false) -> {a, b} -> cg -> end
    [Fact]
    public async Task SkipParallelGateway_FailedConditionalGateway_TakesTheFlows()
    {
        var cpg = new ConditionalParallelGateway(new Dictionary<int, string> { [0] = "1 == 0", [1] = "1 == 0" });
        var cg = new ConvergeGateway();
        var start = new EmptyStartEvent();
        start.Extend(cpg).Connect(new ServiceActivity("empty_node"), new ServiceActivity("empty_node"));
        cpg.Converge(cg).Extend(new EmptyEndEvent());
        var id = await _sut.StartAsync(PipelineBuilder.BuildTree(start));
        Assert.Equal("failed", (string?)(await _sut.WaitAsync(id))["end"]);
        var detail = await _sut.GetJsonAsync($"/api/nodes/{cpg.Id}");
        Assert.Equal(cg.Id, (string?)detail["converge_gateway_id"]);

        var wrong = await (await _sut.PostAsync($"/api/nodes/{cpg.Id}/skip-parallel-gateway",
            new JsonObject { ["flow_ids"] = new JsonArray("f_missing"), ["converge_gateway_id"] = cg.Id })).EngineAsync(result: false);
        await (await _sut.PostAsync($"/api/nodes/{cpg.Id}/skip-parallel-gateway",
            new JsonObject { ["flow_ids"] = detail["flows"]!.DeepClone(), ["converge_gateway_id"] = cg.Id })).EngineAsync();

        Assert.Contains("f_missing", (string?)wrong["message"], StringComparison.Ordinal);
        Assert.Equal("finished", (string?)(await _sut.WaitAsync(id))["end"]);
    }

    [Theory]
    [InlineData("{}", "flow_ids")]
    [InlineData("{\"flow_ids\": [], \"converge_gateway_id\": \"cg\"}", "flow_ids")]
    [InlineData("{\"flow_ids\": [\"f\"]}", "converge_gateway_id")]
    [InlineData("{\"flow_ids\": \"f\", \"converge_gateway_id\": \"cg\"}", "flow_ids")]
    [InlineData("{\"flow_ids\": [1], \"converge_gateway_id\": \"cg\"}", "flow_ids[0]")]
    public async Task SkipParallelGateway_BadBody_ProblemNamesTheField(string body, string field)
    {
        var (_, node) = await FailedAsync();

        var response = await _sut.PostAsync($"/api/nodes/{node}/skip-parallel-gateway", JsonNode.Parse(body));

        await response.ProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task ForcedFail_WaitingActivity_FailsWithTheMessage()
    {
        var (run, waiting, _) = await WaitingAsync();

        await (await _sut.PostAsync($"/api/nodes/{waiting}/forced-fail", new JsonObject { ["ex_data"] = "stopped by hand" })).EngineAsync();

        Assert.Equal("failed", (string?)(await _sut.WaitAsync(run))["end"]);
        Assert.Equal("stopped by hand", (string?)(await _sut.GetJsonAsync($"/api/nodes/{waiting}"))["error"]);
    }

    [Fact]
    public async Task ForcedFail_NodeNotRunning_RefusedWithTheReason()
    {
        var (_, node) = await FailedAsync();

        var refused = await (await _sut.PostAsync($"/api/nodes/{node}/forced-fail")).EngineAsync(result: false);

        Assert.False(string.IsNullOrEmpty((string?)refused["message"]));
    }

    [Fact]
    public async Task Callback_WaitingActivity_Finishes()
    {
        var (run, waiting, _) = await WaitingAsync();

        await (await _sut.PostAsync($"/api/nodes/{waiting}/callback", new JsonObject { ["data"] = new JsonObject { ["bit"] = 1 } })).EngineAsync();

        Assert.Equal("finished", (string?)(await _sut.WaitAsync(run))["end"]);
    }

    [Fact]
    public async Task Callback_OldVersion_RefusedWithTheReason()
    {
        var (_, waiting, _) = await WaitingAsync();

        var refused = await (await _sut.PostAsync($"/api/nodes/{waiting}/callback", new JsonObject { ["version"] = "v_old" })).EngineAsync(result: false);

        Assert.False(string.IsNullOrEmpty((string?)refused["message"]));
    }

    [Fact]
    public async Task PauseAndResumeAppoint_NodeNotStarted_HoldsItThenLetsItRun()
    {
        var (run, waiting, next) = await WaitingAsync();

        await (await _sut.PostAsync($"/api/nodes/{next}/pause")).EngineAsync();
        await (await _sut.PostAsync($"/api/nodes/{waiting}/callback", new JsonObject { ["data"] = new JsonObject { ["bit"] = 1 } })).EngineAsync();
        var held = await _sut.WaitAsync(run);
        await (await _sut.PostAsync($"/api/nodes/{next}/resume")).EngineAsync();

        Assert.Equal("suspended", (string?)held["end"]);
        Assert.Equal("finished", (string?)(await _sut.WaitAsync(run))["end"]);
    }

    [Fact]
    public async Task PauseAndResumeAppoint_WrongState_RefusedWithTheReason()
    {
        var (_, node) = await FailedAsync();

        var pause = await (await _sut.PostAsync($"/api/nodes/{node}/pause")).EngineAsync(result: false);
        var resume = await (await _sut.PostAsync($"/api/nodes/{node}/resume")).EngineAsync(result: false);

        Assert.Contains(node, (string?)pause["message"], StringComparison.Ordinal);
        Assert.Contains(node, (string?)resume["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/children-states")]
    [InlineData("GET", "/execution-data")]
    [InlineData("GET", "/inputs")]
    [InlineData("GET", "/outputs")]
    [InlineData("GET", "/data")]
    [InlineData("GET", "/histories")]
    [InlineData("GET", "/short-histories")]
    [InlineData("POST", "/pause")]
    [InlineData("POST", "/resume")]
    [InlineData("POST", "/retry")]
    [InlineData("POST", "/retry-subprocess")]
    [InlineData("POST", "/skip")]
    [InlineData("POST", "/forced-fail")]
    [InlineData("POST", "/callback")]
    public async Task AnyRoute_UnknownNode_NotFound(string method, string route)
    {
        var response = await _sut.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/nodes/n_no_such_node{route}"));

        var problem = await response.ProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("n_no_such_node", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task SkipGateways_UnknownNode_NotFound()
    {
        await (await _sut.PostAsync("/api/nodes/n_no_such_node/skip-gateway", new JsonObject { ["flow_id"] = "f" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await _sut.PostAsync("/api/nodes/n_no_such_node/skip-parallel-gateway",
            new JsonObject { ["flow_ids"] = new JsonArray("f"), ["converge_gateway_id"] = "cg" })).ProblemAsync(HttpStatusCode.NotFound);
    }
}
