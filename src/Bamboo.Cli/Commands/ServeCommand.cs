using System.CommandLine;

namespace Bamboo.Cli.Commands;

/// <summary>
/// <c>bamboo serve</c>: the HTTP API and the web page (Bamboo.Server) on a store, with workers unless told otherwise.
/// Listens on 127.0.0.1:5080 by default; an address other machines can reach needs a token. The server itself runs in
/// ServeCommand.Server.cs; the native build, which has no ASP.NET Core, hands the command to the JIT build instead.
/// </summary>
internal static partial class ServeCommand
{
    /// <summary>Bamboo.Server's default address, named here for the help text of a build without the server.</summary>
    internal const string DefaultUrl = "http://127.0.0.1:5080";

    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = $"where to listen, ';'-separated (default: {DefaultUrl}, or $ASPNETCORE_URLS)" };
        var tokens = new Option<string[]>("--token")
        {
            Description = "an access token, ROLE:TOKEN with ROLE reader (GET routes, events) or operator (everything); repeatable; also Bamboo__Server__Tokens__0=...",
            AllowMultipleArgumentsPerToken = false,
        };
        var noWorkers = new Option<bool>("--no-workers") { Description = "run no workers here (bamboo worker processes run the pipelines)" };
        var components = CliHost.ComponentsOption();
        var store = new StoreArguments();
        var command = new Command("serve", "Serve the HTTP API and the web page on a store") { urls, tokens, noWorkers, components };
        store.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(store.Get(parse), parse.GetValue(urls), parse.GetValue(tokens) ?? [], parse.GetValue(noWorkers), parse.GetValue(components) ?? [], ct));
        return command;
    }
}
