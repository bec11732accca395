using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bamboo.Server.Tests;

/// <summary>
/// The server of Program.cs on a temp SQLite file, with its workers, in memory (TestServer). Settings are
/// configuration keys as <c>bamboo serve</c> and appsettings give them; every log line is kept in <see cref="Logs"/>.
/// </summary>
public class ServerFactory : WebApplicationFactory<Program>
{
    public const string OperatorToken = "operator-secret-0123456789";
    public const string ReaderToken = "reader-secret-0123456789";

    private readonly Dictionary<string, string?> _settings;

    public ServerFactory(bool tokens, IReadOnlyDictionary<string, string?>? settings = null)
    {
        DatabasePath = Path.Combine(Path.GetTempPath(), $"bamboo-server-{Guid.NewGuid():N}.db");
        _settings = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>()) { ["Bamboo:Server:Database"] = DatabasePath };
        if (tokens)
        {
            _settings["Bamboo:Server:Tokens:0"] = "operator:" + OperatorToken;
            _settings["Bamboo:Server:Tokens:1"] = "reader:" + ReaderToken;
        }
    }

    public string DatabasePath { get; }

    public CollectingLoggerProvider Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddProvider(Logs));
        builder.ConfigureServices(services => services.AddSingleton(Logs));
    }

    /// <summary>A client that sends <paramref name="token"/> as its bearer token (none when null).</summary>
    public HttpClient Client(string? token = null)
    {
        var client = CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
        foreach (var file in new[] { DatabasePath, DatabasePath + "-wal", DatabasePath + "-shm" })
        {
            File.Delete(file);
        }
    }
}
