
namespace Bamboo.Server.Tests;

/// <summary>/health, /ready and the OpenAPI document of an anonymous (loopback) server.</summary>
public sealed class HealthEndpointsTests(AnonymousServer server) : IClassFixture<AnonymousServer>
{
    private readonly HttpClient _sut = server.Client();

    [Fact]
    public async Task Health_Alive()
    {
        Assert.Equal("alive", (string?)(await _sut.GetJsonAsync("/health"))["status"]);
    }

    [Fact]
    public async Task Ready_StoreReadable()
    {
        Assert.Equal("ready", (string?)(await _sut.GetJsonAsync("/ready"))["status"]);
    }

    [Fact]
    public async Task OpenApi_Document_EveryRouteWithSnakeCaseSchemas()
    {
        var document = await _sut.GetJsonAsync("/openapi/v1.json");

        var paths = document["paths"]!.AsObject();
        Assert.Contains("/api/pipelines", paths.Select(p => p.Key));
        Assert.Contains("/api/nodes/{id}/skip-parallel-gateway", paths.Select(p => p.Key));
        Assert.Contains("/api/pipelines/{id}/events", paths.Select(p => p.Key));
        var schemas = document["components"]!["schemas"]!.AsObject();
        var request = schemas["SkipParallelGatewayRequest"]!["properties"]!.AsObject();
        Assert.Contains("converge_gateway_id", request.Select(p => p.Key));
        Assert.Equal(["result", "message", "exc", "data"], schemas["EngineApiResponse"]!["properties"]!.AsObject().Select(p => p.Key));
    }
}
