using Bamboo.Engine.Client;
using Bamboo.Engine.Components;
using Bamboo.Runtime.Sqlite;
using Bamboo.Server;
using Bamboo.Server.Endpoints;
using Bamboo.Server.Events;
using Bamboo.Server.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

#pragma warning disable IDE0130 // Builder extensions live in the namespace of the builder so they are found without a using.
namespace Microsoft.AspNetCore.Builder;
#pragma warning restore IDE0130

/// <summary><c>builder.AddBambooServer()</c> and <c>app.MapBambooServer()</c>: the whole server in two calls.</summary>
public static class BambooServerBuilderExtensions
{
    /// <summary>
    /// The engine on the configured store (SQLite file or PostgreSQL), the test component kit and the
    /// <see cref="BambooServerOptions.Components"/> plugins, workers unless turned off, token authentication, problem
    /// details, snake_case JSON and the OpenAPI document. Listens on <see cref="BambooServerOptions.DefaultUrl"/>
    /// unless <c>urls</c> says otherwise.
    /// </summary>
    public static WebApplicationBuilder AddBambooServer(this WebApplicationBuilder builder, Action<BambooServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<BambooServerOptions>().BindConfiguration(BambooServerOptions.Section)
            .Configure(o => configure?.Invoke(o)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BambooServerOptions>, BambooServerOptionsValidator>());

        // The store and the plugins are chosen now, while the container is being described; the same sources as above.
        var options = new BambooServerOptions();
        builder.Configuration.GetSection(BambooServerOptions.Section).Bind(options);
        configure?.Invoke(options);
        if (string.IsNullOrWhiteSpace(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(BambooServerOptions.DefaultUrl);
        }

        AddEngine(services, options);

        // A line per request costs the hot path and buries the server's own lines; LogLevel config can lower it again.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // Authentication brings data protection, which makes a key on the first start and warns that it is stored
        // unencrypted. Nothing here is protected with it (tokens are compared, there are no cookies).
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);

        services.ConfigureHttpJsonOptions(o => ViewJson.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<RouteOptions>(o => o.SetParameterPolicy<PagePath>(PagePath.Name));
        services.AddProblemDetails();
        services.AddExceptionHandler<ServerExceptionHandler>();
        services.AddSingleton(sp => new AccessTokens(sp.GetRequiredService<IOptions<BambooServerOptions>>().Value.Tokens));
        services.AddAuthentication(TokenAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, TokenAuthenticationHandler>(TokenAuthenticationHandler.SchemeName, null);
        // The fallback covers what has no policy of its own: routing's 405 and 415 answers and paths with no route, so a
        // caller without a token learns nothing but 401. The page and the health checks allow anyone.
        services.AddAuthorizationBuilder()
            .AddPolicy(AccessRole.Reader, p => p.RequireRole(AccessRole.Reader, AccessRole.Operator))
            .AddPolicy(AccessRole.Operator, p => p.RequireRole(AccessRole.Operator))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireRole(AccessRole.Reader, AccessRole.Operator).Build());
        services.AddSingleton<EngineResults>();
        services.AddSingleton<RouteMethods>();
        services.AddSingleton<PipelineEventStream>();
        services.AddOpenApi();
        return builder;
    }

    private static void AddEngine(IServiceCollection services, BambooServerOptions options)
    {
        var engine = services.AddBambooEngine().AddTestkit();
        foreach (var plugin in options.Components)
        {
            engine.Registry.AddFromAssembly(plugin);
        }

        if (!string.IsNullOrWhiteSpace(options.Postgres))
        {
            engine.UsePostgres(options.Postgres);
        }
        else
        {
            // As the CLI: the default store's folder is made when missing, a mistyped --db folder is reported.
            services.TryAddSingleton(sp => new SqliteStoreOptions
            {
                DatabasePath = options.Database,
                CreateFolder = options.Database == BambooServerOptions.DefaultDatabase,
                WakeLimit = sp.GetRequiredService<Bamboo.Engine.Runtime.EngineOptions>().WorkerCount,
            });
            engine.UseSqlite(options.Database);
        }

        if (!options.Workers)
        {
            engine.WithoutWorkers();
        }
    }

    /// <summary>
    /// The middleware and every route: problem details for errors, the body limit, the page (wwwroot, with index.html
    /// for any other path that is not the API's), tokens, <c>/health</c>, <c>/ready</c>, <c>/openapi/v1.json</c> and
    /// <c>/api/...</c>.
    /// </summary>
    public static WebApplication MapBambooServer(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseExceptionHandler();
        app.UseStatusCodePages(WriteStatusProblemAsync);
        var page = new StaticFileOptions { FileProvider = PageFiles(), ContentTypeProvider = new FileExtensionContentTypeProvider() };
        app.UseStaticFiles(page);
        app.UseAuthentication();
        app.UseAuthorization();
        // After the token check: a caller without one gets 401 whatever its body.
        app.UseMiddleware<RequestBodyLimit>();

        app.MapHealthEndpoints();
        app.MapOpenApi().RequireAuthorization(AccessRole.Reader);
        var api = app.MapGroup("/api").RequireAuthorization(AccessRole.Reader);
        api.MapPipelineEndpoints();
        api.MapEventEndpoints();
        api.MapNodeEndpoints();
        // The page for every other path (its own router reads it). GET and HEAD only, and never under /api or /openapi:
        // there a route of another method answers 405, a request its content type ruled out 415, and a path with no
        // route 404, each a problem (WriteStatusProblemAsync).
        app.MapFallback(PagePaths, context => PageOrNotFoundAsync(context, page.FileProvider))
            .WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head])).AllowAnonymous().ExcludeFromDescription();

        app.Lifetime.ApplicationStarted.Register(() => LogStarted(app));
        return app;
    }

    /// <summary>Any path but a file's and those under /api and /openapi (<see cref="PagePath"/>).</summary>
    private const string PagePaths = "{*path:nonfile:" + PagePath.Name + "}";

    private static Task PageOrNotFoundAsync(HttpContext context, IFileProvider files)
    {
        var index = files.GetFileInfo("index.html");
        if (!index.Exists)
        {
            var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
            return ServerProblems.WriteAsync(problems, context, StatusCodes.Status404NotFound, $"no route {context.Request.Path}");
        }

        context.Response.ContentType = "text/html; charset=utf-8";
        return context.Response.SendFileAsync(index);
    }

    /// <summary>An error status that nothing wrote a body for (no route, a method the route lacks), as a problem.</summary>
    private static Task WriteStatusProblemAsync(StatusCodeContext status)
    {
        var context = status.HttpContext;
        var (method, path) = (context.Request.Method, context.Request.Path);
        if (context.Response.StatusCode == StatusCodes.Status404NotFound && path.StartsWithSegments("/api")
            && context.RequestServices.GetRequiredService<RouteMethods>().On(path) is { Count: > 0 } allowed)
        {
            context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            context.Response.Headers.Allow = string.Join(", ", allowed);
        }

        var detail = context.Response.StatusCode switch
        {
            StatusCodes.Status404NotFound => $"no route {path}",
            StatusCodes.Status405MethodNotAllowed => $"{method} is not allowed on {path} (allowed: {context.Response.Headers.Allow})",
            _ => null,
        };
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return detail is null
            ? problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = { Status = context.Response.StatusCode } }).AsTask()
            : ServerProblems.WriteAsync(problems, context, context.Response.StatusCode, detail);
    }

    private static void LogStarted(WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<BambooServerOptions>>().Value;
        var store = options.Postgres is null ? Path.GetFullPath(options.Database) : "PostgreSQL";
        var access = options.Tokens.Count == 0 ? "anonymous (loopback only)" : $"{options.Tokens.Count} token(s)";
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Bamboo.Server");
        Log.Started(logger, store, options.Workers, access);
    }

    /// <summary>The page, embedded in this assembly from wwwroot; nothing while it has not been built.</summary>
    private static IFileProvider PageFiles()
    {
        try
        {
            return new ManifestEmbeddedFileProvider(typeof(BambooServerApp).Assembly, "wwwroot");
        }
        catch (InvalidOperationException)
        {
            return new NullFileProvider();
        }
    }
}
