using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;
using Bamboo.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bamboo.Cli.Commands;

/// <summary>The server of <c>bamboo serve</c> (the JIT build only: ASP.NET Core does not run natively).</summary>
internal static partial class ServeCommand
{
    public static async Task<int> RunAsync(StoreLocation location, string? urls, string[] tokens, bool noWorkers, string[] components, CancellationToken ct)
    {
        WebApplication app;
        try
        {
            app = BambooServerApp.Create([], options =>
            {
                options.Database = location.Database ?? options.Database;
                options.Postgres = location.Postgres;
                options.Workers = !noWorkers;
                foreach (var token in tokens)
                {
                    options.Tokens.Add(token);
                }

                foreach (var component in components)
                {
                    options.Components.Add(component);
                }
            }, builder =>
            {
                if (!string.IsNullOrWhiteSpace(urls))
                {
                    builder.WebHost.UseUrls(urls);
                }

                // A start that fails is said here in one line, not as the host's stack trace; a worker that faults still
                // stops the host with a Critical entry.
                builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
                // "Now listening on", "Press Ctrl+C", "Application is shutting down": this command says those itself.
                builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
            });
        }
        catch (BambooException ex)
        {
            // A --components assembly that cannot be loaded.
            await Console.Error.WriteLineAsync(ex.Message);
            return ExitCodes.Refused;
        }

        await using (app)
        {
            try
            {
                // Checked and opened now, so bad options or a path that is not a store are reported before anything listens.
                _ = app.Services.GetRequiredService<IOptions<BambooServerOptions>>().Value;
                _ = app.Services.GetRequiredService<IEngineStore>();
                await app.StartAsync(ct);
            }
            catch (OptionsValidationException ex)
            {
                await app.StopAsync(CancellationToken.None);
                foreach (var failure in ex.Failures)
                {
                    await Console.Error.WriteLineAsync($"refused: {failure}");
                }

                return ExitCodes.Refused;
            }
            catch (IOException ex)
            {
                // Most often the port is taken. The workers started before the listener: they stop and hand back their
                // tasks now, not later against a store already closed.
                await app.StopAsync(CancellationToken.None);
                await Console.Error.WriteLineAsync($"cannot listen: {ex.Message}");
                return ExitCodes.Refused;
            }
            catch
            {
                // Any other failed start (an address not on this host, Ctrl-C while starting): the same, then the error.
                await app.StopAsync(CancellationToken.None);
                throw;
            }

            Console.WriteLine($"store: {location}; workers: {(noWorkers ? "none (bamboo worker runs the pipelines)" : "running")}");
            Console.WriteLine($"serving {string.Join(", ", app.Urls)}: open it in a browser; the API is under /api, its OpenAPI document at /openapi/v1.json; Ctrl-C to stop");
            await app.WaitForShutdownAsync(ct);
        }

        return ExitCodes.Ok;
    }
}
