using Microsoft.AspNetCore.Builder;

namespace Bamboo.Server;

/// <summary>The server as one app, for <c>bamboo serve</c>, Program.cs and tests alike.</summary>
public static class BambooServerApp
{
    /// <summary>
    /// Builds the server from <paramref name="args"/> and configuration (<c>Bamboo:Server</c>, <c>urls</c>);
    /// <paramref name="configure"/> has the last word on the options (the CLI's flags). Problems with the options
    /// (a token that is not ROLE:TOKEN, an open address without a token) stop the app when it starts.
    /// </summary>
    public static WebApplication Create(string[] args, Action<BambooServerOptions>? configure = null, Action<WebApplicationBuilder>? configureBuilder = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configureBuilder?.Invoke(builder);
        builder.AddBambooServer(configure);
        var app = builder.Build();
        app.MapBambooServer();
        return app;
    }
}
