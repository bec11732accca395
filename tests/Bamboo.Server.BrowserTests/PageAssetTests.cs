using System.Net;

namespace Bamboo.Server.BrowserTests;

/// <summary>The page's files as the server hands them out (docs/http-api.md, "The page"): without them nothing else here works.</summary>
public sealed class PageAssetTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Theory]
    [InlineData("/app.js", "text/javascript")]
    [InlineData("/app.css", "text/css")]
    [InlineData("/", "text/html")]
    [InlineData("/pipelines/some_run", "text/html")]
    public async Task Get_PagePath_ServedWithItsContentType(string path, string contentType)
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Get_IndexHtml_LoadsNothingFromOtherHosts()
    {
        using var client = new HttpClient { BaseAddress = server.BaseAddress };

        var html = await client.GetStringAsync(new Uri("/", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains("src=\"/app.js\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http", html, StringComparison.OrdinalIgnoreCase);
    }
}
