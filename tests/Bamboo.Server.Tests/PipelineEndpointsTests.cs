using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Bamboo.Engine.Building;

namespace Bamboo.Server.Tests;

/// <summary>/api/pipelines: list, run_pipeline, the run's views, pause, resume, revoke.</summary>
public sealed class PipelineEndpointsTests(AnonymousServer server) : IClassFixture<AnonymousServer>
{
    private readonly HttpClient _sut = server.Client();

    [Fact]
    public async Task Run_Tree_StartsAndFinishes()
    {
        var pipeline = Trees.Sequence(new ServiceActivity("empty_node"), new ServiceActivity("empty_node"));

        var id = await _sut.StartAsync(pipeline);
        var outcome = await _sut.WaitAsync(id);

        Assert.Equal(pipeline.Id, id);
        Assert.Equal("finished", (string?)outcome["end"]);
    }

    [Fact]
    public async Task Run_FreshIds_RunsTheSameTreeAgainUnderNewIds()
    {
        var pipeline = Trees.Sequence(new ServiceActivity("empty_node"));
        await _sut.StartAsync(pipeline);

        var again = await _sut.StartAsync(pipeline, new JsonObject { ["fresh_ids"] = true, ["name"] = "second" });

        Assert.NotEqual(pipeline.Id, again);
        Assert.StartsWith(pipeline.Id, again, StringComparison.Ordinal);
        Assert.Equal("second", (string?)(await _sut.GetJsonAsync($"/api/pipelines/{again}"))["name"]);
    }

    [Fact]
    public async Task Run_FreshIdsAndAStartNode_StartsAtThatNodesNewId()
    {
        var skipped = new ServiceActivity("empty_node");
        var from = new ServiceActivity("empty_node");
        var pipeline = Trees.Sequence(skipped, from);

        var id = await _sut.StartAsync(pipeline, new JsonObject { ["fresh_ids"] = true, ["start_node_id"] = from.Id });
        var outcome = await _sut.WaitAsync(id);

        Assert.Equal("finished", (string?)outcome["end"]);
        var suffix = id[pipeline.Id.Length..];
        Assert.Equal("FINISHED", (string?)(await _sut.GetJsonAsync($"/api/nodes/{from.Id}{suffix}"))["node"]!["state"]);
        Assert.Null((await _sut.GetJsonAsync($"/api/nodes/{skipped.Id}{suffix}"))["node"]!["state"]);
    }

    [Fact]
    public async Task Run_SameTreeTwice_RefusedWithTheReason()
    {
        var pipeline = Trees.Sequence(new ServiceActivity("empty_node"));
        await _sut.StartAsync(pipeline);

        var refused = await (await _sut.PostAsync("/api/pipelines", Trees.Body(pipeline))).EngineAsync(result: false);

        Assert.Contains("already exists", (string?)refused["message"], StringComparison.Ordinal);
        Assert.NotNull(refused["exc"]);
    }

    [Fact]
    public async Task Run_UnknownComponent_RefusedNamingTheNode()
    {
        var act = new ServiceActivity("no_such_component");
        var pipeline = Trees.Sequence(act);

        var refused = await (await _sut.PostAsync("/api/pipelines", Trees.Body(pipeline))).EngineAsync(result: false);

        Assert.Contains(act.Id, (string?)refused["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NoTree_ProblemNamesTree()
    {
        var response = await _sut.PostAsync("/api/pipelines", new JsonObject { ["name"] = "x" });

        await response.ProblemAsync(HttpStatusCode.BadRequest, "tree");
    }

    [Fact]
    public async Task Run_TreeWithBadField_ProblemNamesThePathInTheTree()
    {
        var tree = Trees.Sequence(new ServiceActivity("empty_node")).ToJson();
        tree["start_event"] = "not an object";

        var problem = await (await _sut.PostAsync("/api/pipelines", new JsonObject { ["tree"] = tree })).ProblemAsync(HttpStatusCode.BadRequest);

        Assert.Contains("tree.start_event", ((JsonObject)problem["errors"]!).Select(e => e.Key).Single(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"tree\": ", "tree")]
    [InlineData("[1]", "body")]
    [InlineData("{\"tree\": 5}", "tree")]
    [InlineData("{\"tree\": {}, \"cycle_tolerate\": \"yes\"}", "cycle_tolerate")]
    [InlineData("", "body")]
    public async Task Run_BadJson_ProblemNamesTheField(string body, string field)
    {
        var response = await _sut.PostAsync("/api/pipelines", new StringContent(body, Encoding.UTF8, "application/json"));

        await response.ProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Run_NotJson_ProblemNamesTheBody()
    {
        var response = await _sut.PostAsync("/api/pipelines", new StringContent("tree=1", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task List_RunsNewestFirst_PagesWithTheCursor()
    {
        var name = "list-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 3; i++)
        {
            await _sut.StartAsync(Trees.Sequence(new ServiceActivity("empty_node")), new JsonObject { ["name"] = name });
        }

        var first = await _sut.GetJsonAsync($"/api/pipelines?search={name}&limit=2");
        var second = await _sut.GetJsonAsync($"/api/pipelines?search={name}&limit=2&after={Uri.EscapeDataString((string)first["next"]!)}");

        Assert.Equal(2, first["items"]!.AsArray().Count);
        Assert.Single(second["items"]!.AsArray());
        Assert.Null(second["next"]);
        Assert.Equal(name, (string?)first["items"]![0]!["name"]);
        Assert.NotNull(first["items"]![0]!["created_at"]);
    }

    [Fact]
    public async Task List_ByStateAndTime_Filters()
    {
        var id = await _sut.StartAsync(Trees.Sequence(new ServiceActivity("empty_node")));
        await _sut.WaitAsync(id);

        var finished = await _sut.GetJsonAsync($"/api/pipelines?state=FINISHED&search={id}&from=2000-01-01T00:00:00Z");
        var lowerCase = await _sut.GetJsonAsync($"/api/pipelines?state=finished&search={id}");
        var revoked = await _sut.GetJsonAsync($"/api/pipelines?state=REVOKED&search={id}");
        var before = await _sut.GetJsonAsync($"/api/pipelines?search={id}&before=2000-01-01T00:00:00Z");

        Assert.Equal(id, (string?)Assert.Single(finished["items"]!.AsArray())!["id"]);
        Assert.Equal(id, (string?)Assert.Single(lowerCase["items"]!.AsArray())!["id"]);
        Assert.Empty(revoked["items"]!.AsArray());
        Assert.Empty(before["items"]!.AsArray());
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=501", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("from=yesterday", "from")]
    [InlineData("before=soon", "before")]
    [InlineData("after=garbage", "after")]
    [InlineData("state=bogus", "state")]
    [InlineData("state=FAILED", "state")]
    public async Task List_BadQuery_ProblemNamesTheParameter(string query, string field)
    {
        var response = await _sut.GetAsync($"/api/pipelines?{query}");

        await response.ProblemAsync(HttpStatusCode.BadRequest, field);
    }

    [Fact]
    public async Task Get_Run_NodesAndOutcome()
    {
        var act = new ServiceActivity("empty_node");
        var id = await _sut.StartAsync(Trees.Sequence(act));
        await _sut.WaitAsync(id);

        var run = await _sut.GetJsonAsync($"/api/pipelines/{id}");

        Assert.Equal(id, (string?)run["id"]);
        Assert.Equal("FINISHED", (string?)run["state"]);
        Assert.Equal("finished", (string?)run["outcome"]!["end"]);
        var node = run["nodes"]!.AsArray().Single(n => (string?)n!["id"] == act.Id)!;
        Assert.Equal("empty_node", (string?)node["component"]);
        Assert.Equal("ServiceActivity", (string?)node["kind"]);
        Assert.Equal("FINISHED", (string?)node["state"]);
        Assert.NotNull(node["parent_id"]);
        Assert.NotNull(node["error_ignored"]);
    }

    [Fact]
    public async Task Tree_Run_TheTreeAsStored()
    {
        var pipeline = Trees.Sequence(new ServiceActivity("empty_node"));
        var id = await _sut.StartAsync(pipeline);

        var tree = await _sut.GetJsonAsync($"/api/pipelines/{id}/tree");

        Assert.Equal(id, (string?)tree["id"]);
        Assert.True(JsonNode.DeepEquals(pipeline.ToJson()["activities"], tree["activities"]));
    }

    [Fact]
    public async Task States_Run_BambooShapeFlatOrNested()
    {
        var act = new ServiceActivity("empty_node");
        var id = await _sut.StartAsync(Trees.Sequence(act));
        await _sut.WaitAsync(id);

        var flat = await (await _sut.GetAsync($"/api/pipelines/{id}/states")).EngineAsync();
        var nested = await (await _sut.GetAsync($"/api/pipelines/{id}/states?flat_children=false")).EngineAsync();

        Assert.Equal("FINISHED", (string?)flat["data"]![id]!["state"]);
        Assert.Equal("FINISHED", (string?)flat["data"]![id]!["children"]![act.Id]!["state"]);
        Assert.NotNull(nested["data"]![id]!["children"]![act.Id]);
    }

    [Fact]
    public async Task States_BadFlatChildren_ProblemNamesIt()
    {
        var id = await _sut.StartAsync(Trees.Sequence(new ServiceActivity("empty_node")));

        await (await _sut.GetAsync($"/api/pipelines/{id}/states?flat_children=maybe")).ProblemAsync(HttpStatusCode.BadRequest, "flat_children");
    }

    [Fact]
    public async Task Outputs_Run_TheRootsOutputs()
    {
        var id = await _sut.StartAsync(Trees.Sequence(new ServiceActivity("empty_node")));
        await _sut.WaitAsync(id);

        var outputs = await _sut.GetJsonAsync($"/api/pipelines/{id}/outputs");

        Assert.NotNull(outputs);
    }

    [Fact]
    public async Task Outcome_BadWait_ProblemNamesIt()
    {
        var id = await _sut.StartAsync(Trees.Sequence(new ServiceActivity("empty_node")));

        await (await _sut.GetAsync($"/api/pipelines/{id}/outcome?wait=600")).ProblemAsync(HttpStatusCode.BadRequest, "wait");
    }

    [Fact]
    public async Task PauseResumeRevoke_WaitingRun_EachTakesEffect()
    {
        var id = await _sut.StartAsync(Trees.Sequence(new ServiceActivity("callback_node"), new ServiceActivity("empty_node")));
        Assert.Equal("waiting_for_callback", (string?)(await _sut.WaitAsync(id))["end"]);

        await (await _sut.PostAsync($"/api/pipelines/{id}/pause")).EngineAsync();
        var paused = (string?)(await _sut.GetJsonAsync($"/api/pipelines/{id}"))["state"];
        await (await _sut.PostAsync($"/api/pipelines/{id}/resume")).EngineAsync();
        var resumed = (string?)(await _sut.GetJsonAsync($"/api/pipelines/{id}"))["state"];
        await (await _sut.PostAsync($"/api/pipelines/{id}/revoke")).EngineAsync();

        Assert.Equal("SUSPENDED", paused);
        Assert.Equal("RUNNING", resumed);
        Assert.Equal("revoked", (string?)(await _sut.WaitAsync(id))["end"]);
    }

    [Fact]
    public async Task ResumeAndRevoke_FinishedRun_RefusedWithTheReason()
    {
        var id = await _sut.StartAsync(Trees.Sequence(new ServiceActivity("empty_node")));
        await _sut.WaitAsync(id);

        var resume = await (await _sut.PostAsync($"/api/pipelines/{id}/resume")).EngineAsync(result: false);
        var pause = await (await _sut.PostAsync($"/api/pipelines/{id}/pause")).EngineAsync(result: false);
        var revoke = await (await _sut.PostAsync($"/api/pipelines/{id}/revoke")).EngineAsync(result: false);

        Assert.Contains("expected SUSPENDED", (string?)resume["message"], StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty((string?)pause["message"]));
        Assert.False(string.IsNullOrEmpty((string?)revoke["message"]));
    }

    [Theory]
    [InlineData("GET", "")]
    [InlineData("GET", "/tree")]
    [InlineData("GET", "/states")]
    [InlineData("GET", "/outputs")]
    [InlineData("GET", "/outcome")]
    [InlineData("GET", "/events")]
    [InlineData("POST", "/pause")]
    [InlineData("POST", "/resume")]
    [InlineData("POST", "/revoke")]
    public async Task AnyRoute_UnknownRun_NotFound(string method, string route)
    {
        var response = await _sut.SendAsync(new HttpRequestMessage(new HttpMethod(method), $"/api/pipelines/p_no_such_run{route}"));

        var problem = await response.ProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("p_no_such_run", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownApiRoute_NotFoundProblem()
    {
        await (await _sut.GetAsync("/api/no-such-thing")).ProblemAsync(HttpStatusCode.NotFound);
    }
}
