using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Bamboo.Engine.Model;

namespace Bamboo.Server.Tests;

/// <summary>Calls and checks the tests share: JSON in and out, starting a run, waiting for it, problem details.</summary>
internal static class Api
{
    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string path, JsonNode? body = null) =>
        client.PostAsync(path, body is null ? null : new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response, HttpStatusCode status = HttpStatusCode.OK)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return Assert.IsType<JsonObject>(JsonNode.Parse(text));
    }

    public static async Task<JsonObject> GetJsonAsync(this HttpClient client, string path, HttpStatusCode status = HttpStatusCode.OK) =>
        await (await client.GetAsync(path)).JsonAsync(status);

    /// <summary>An Engine API answer: 200, bamboo's shape, never a stack trace; returns it.</summary>
    public static async Task<JsonObject> EngineAsync(this HttpResponseMessage response, bool result = true)
    {
        var json = await response.JsonAsync();
        Assert.False(json.ContainsKey("exc_trace"), "exc_trace must never leave the server");
        Assert.True((bool)json["result"]! == result, $"expected result {result}: {json["message"]}");
        return json;
    }

    /// <summary>A problem details answer with <paramref name="status"/>, naming <paramref name="field"/> when given.</summary>
    public static async Task<JsonObject> ProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = Assert.IsType<JsonObject>(JsonNode.Parse(text));
        Assert.Equal((int)status, (int)problem["status"]!);
        if (field is not null)
        {
            var errors = Assert.IsType<JsonObject>(problem["errors"]);
            Assert.True(errors.ContainsKey(field), $"the problem should name {field}: {text}");
        }

        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        return problem;
    }

    /// <summary>Starts <paramref name="pipeline"/> through POST /api/pipelines; returns its id.</summary>
    public static async Task<string> StartAsync(this HttpClient client, Pipeline pipeline, JsonObject? extra = null)
    {
        var body = Trees.Body(pipeline);
        foreach (var (key, value) in extra ?? [])
        {
            body[key] = value?.DeepClone();
        }

        var json = await (await client.PostAsync("/api/pipelines", body)).EngineAsync();
        return (string)json["data"]!["id"]!;
    }

    /// <summary>Waits (server side) until the run stops; returns the outcome.</summary>
    public static Task<JsonObject> WaitAsync(this HttpClient client, string id) => client.GetJsonAsync($"/api/pipelines/{id}/outcome?wait=30");

    /// <summary>Waits until the node has <paramref name="state"/> (bounded poll of the node's view).</summary>
    public static async Task WaitStateAsync(this HttpClient client, string nodeId, string state)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        while ((string?)(await client.GetJsonAsync($"/api/nodes/{nodeId}"))["node"]!["state"] != state)
        {
            await Task.Delay(20, timeout.Token);
        }
    }
}
