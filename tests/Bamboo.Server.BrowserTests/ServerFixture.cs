using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace Bamboo.Server.BrowserTests;

/// <summary>
/// The real server (<see cref="BambooServerApp"/>, as <c>bamboo serve</c> runs it) on 127.0.0.1 with a free port, a
/// temp SQLite store of its own, its workers, and two tokens: one operator, one reader. One per test class.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const string OperatorToken = "browser-operator-0123456789";
    public const string ReaderToken = "browser-reader-0123456789";

    private readonly string _database = Path.Combine(Path.GetTempPath(), $"bamboo-browser-{Guid.NewGuid():N}.db");
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The API as an operator, to start the pipelines the page then shows.</summary>
    public HttpClient Api { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _app = BambooServerApp.Create(
            ["--urls", "http://127.0.0.1:0"],
            options =>
            {
                options.Database = _database;
                options.Tokens.Add("operator:" + OperatorToken);
                options.Tokens.Add("reader:" + ReaderToken);
            },
            builder => builder.Logging.ClearProviders());
        await _app.StartAsync(TestContext.Current.CancellationToken);
        BaseAddress = new Uri(_app.Urls.Single());
        Api = new HttpClient { BaseAddress = BaseAddress };
        Api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OperatorToken);
    }

    /// <summary>Starts <paramref name="tree"/> under <paramref name="name"/> and answers its id.</summary>
    public async Task<string> RunAsync(JsonObject tree, string name)
    {
        using var response = await Api.PostAsJsonAsync("/api/pipelines", new JsonObject { ["tree"] = tree, ["name"] = name }, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.True(answer?["result"]?.GetValue<bool>(), answer?.ToJsonString());
        return answer!["data"]!["id"]!.GetValue<string>();
    }

    /// <summary>An operator call of the API (<paramref name="json"/> as its body) that the engine must accept.</summary>
    public async Task PostAsync(string path, string json)
    {
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");
        using var response = await Api.PostAsync(new Uri(path, UriKind.Relative), content, TestContext.Current.CancellationToken);
        response.EnsureSuccessStatusCode();
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.Current.CancellationToken);
        Assert.True(answer?["result"]?.GetValue<bool>(), answer?.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }
    }
}
