using System.Net;
using System.Text.Json.Nodes;
using Bamboo.Engine.Building;

namespace Bamboo.Server.Tests;

/// <summary>Tokens and roles, the body limit, and what never leaves the server or reaches its log.</summary>
public sealed class AccessTests : IAsyncLifetime
{
    private readonly ServerFactory _server = new(tokens: true, new Dictionary<string, string?> { ["Bamboo:Server:MaxRequestBodyBytes"] = "4096" });

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    [Theory]
    [InlineData("GET", "/api/pipelines")]
    [InlineData("GET", "/api/pipelines/p/states")]
    [InlineData("GET", "/api/pipelines/p/events")]
    [InlineData("GET", "/api/nodes/n")]
    [InlineData("GET", "/openapi/v1.json")]
    [InlineData("POST", "/api/pipelines")]
    [InlineData("POST", "/api/nodes/n/retry")]
    public async Task AnyRoute_NoToken_Unauthorized(string method, string path)
    {
        var response = await _server.Client().SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        await response.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task AnyRoute_WrongToken_Unauthorized()
    {
        var response = await _server.Client("not-a-token-of-this-server").GetAsync("/api/pipelines");

        var problem = await response.ProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Contains("not one this server knows", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/pipelines")]
    [InlineData("/api/pipelines/p/pause")]
    [InlineData("/api/pipelines/p/resume")]
    [InlineData("/api/pipelines/p/revoke")]
    [InlineData("/api/nodes/n/pause")]
    [InlineData("/api/nodes/n/resume")]
    [InlineData("/api/nodes/n/retry")]
    [InlineData("/api/nodes/n/retry-subprocess")]
    [InlineData("/api/nodes/n/skip")]
    [InlineData("/api/nodes/n/skip-gateway")]
    [InlineData("/api/nodes/n/skip-parallel-gateway")]
    [InlineData("/api/nodes/n/forced-fail")]
    [InlineData("/api/nodes/n/callback")]
    public async Task OperatorRoute_ReaderToken_Forbidden(string path)
    {
        var response = await _server.Client(ServerFactory.ReaderToken).PostAsync(path, new JsonObject());

        await response.ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task ReadRoutes_ReaderToken_Allowed()
    {
        var id = await _server.Client(ServerFactory.OperatorToken).StartAsync(Trees.Sequence(new ServiceActivity("empty_node")));
        var reader = _server.Client(ServerFactory.ReaderToken);

        await reader.WaitAsync(id);
        await reader.GetJsonAsync("/api/pipelines");
        await (await reader.GetAsync($"/api/pipelines/{id}/states")).EngineAsync();
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/openapi/v1.json")).StatusCode);
    }

    [Fact]
    public async Task Health_NoToken_Answers()
    {
        var client = _server.Client();

        Assert.Equal("alive", (string?)(await client.GetJsonAsync("/health"))["status"]);
        Assert.Equal("ready", (string?)(await client.GetJsonAsync("/ready"))["status"]);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/ready")]
    public async Task Health_HeadWithoutToken_AnswersItsStatusNotThePage(string path)
    {
        var response = await _server.Client().SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task NoToken_BadOrHugeBodyOrWrongMethodOrNoRoute_UnauthorizedBeforeAnythingElse()
    {
        var client = _server.Client();
        var huge = new ByteArrayContent(new byte[8192]);
        huge.Headers.ContentType = new("application/json");

        var responses = new[]
        {
            await client.PostAsync("/api/pipelines", new StringContent("{}", System.Text.Encoding.UTF8, "text/plain")),
            await client.PostAsync("/api/pipelines", huge),
            await client.GetAsync("/api/nodes/n/retry"),
            await client.DeleteAsync("/api/pipelines"),
            await client.GetAsync("/api/no-such-thing"),
        };

        foreach (var response in responses)
        {
            await response.ProblemAsync(HttpStatusCode.Unauthorized);
        }
    }

    [Theory]
    [InlineData("GET", "/api/nodes/n/retry", "POST")]
    [InlineData("DELETE", "/api/pipelines", "GET")]
    [InlineData("PUT", "/api/nodes/n", "GET")]
    public async Task WrongMethod_WithToken_MethodNotAllowedNamingTheAllowedOnes(string method, string path, string allowed)
    {
        var response = await _server.Client(ServerFactory.OperatorToken).SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        var problem = await response.ProblemAsync(HttpStatusCode.MethodNotAllowed);
        Assert.Contains(allowed, response.Content.Headers.Allow);
        Assert.Contains($"{method} is not allowed on {path}", (string?)problem["detail"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoRoute_WithToken_NotFoundProblemNamingThePath()
    {
        var response = await _server.Client(ServerFactory.ReaderToken).GetAsync("/api/no-such-thing");

        var problem = await response.ProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal("no route /api/no-such-thing", (string?)problem["detail"]);
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_PayloadTooLarge()
    {
        var tree = Trees.Sequence(new ServiceActivity("empty_node")).ToJson();
        tree["padding"] = new string('x', 8192);

        var response = await _server.Client(ServerFactory.OperatorToken).PostAsync("/api/pipelines", new JsonObject { ["tree"] = tree });

        await response.ProblemAsync(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Refusal_Answer_HasNoTraceButTheLogHasIt()
    {
        var client = _server.Client(ServerFactory.OperatorToken);
        var id = await client.StartAsync(Trees.Sequence(new ServiceActivity("empty_node")));
        await client.WaitAsync(id);

        var response = await client.PostAsync($"/api/pipelines/{id}/resume");
        var text = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("exc_trace", text, StringComparison.Ordinal);
        Assert.DoesNotContain(" at Bamboo.", text, StringComparison.Ordinal);
        Assert.Contains(_server.Logs.Lines, l => l.Contains("resume_pipeline refused", StringComparison.Ordinal) && l.Contains(" at Bamboo.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Tokens_Used_NeverLogged()
    {
        await _server.Client(ServerFactory.OperatorToken).GetAsync("/api/pipelines");
        await _server.Client(ServerFactory.ReaderToken).PostAsync("/api/pipelines/p/pause", new JsonObject());
        await _server.Client("wrong-token-that-should-not-be-logged").GetAsync("/api/pipelines");

        Assert.NotEmpty(_server.Logs.Lines);
        Assert.DoesNotContain(_server.Logs.Lines, l => l.Contains(ServerFactory.OperatorToken, StringComparison.Ordinal)
            || l.Contains(ServerFactory.ReaderToken, StringComparison.Ordinal) || l.Contains("wrong-token-that", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Page_AnyOtherPath_NotAnApiProblem()
    {
        var response = await _server.Client().GetAsync("/pipelines/p_some_run");

        // The page's index.html when it is built (ClientApp), else a plain 404; never a 401: the page holds no data.
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound, response.StatusCode.ToString());
        if (response.StatusCode == HttpStatusCode.OK)
        {
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.NotEqual("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
