using System.CommandLine;
using Bamboo.Cli.Commands;

namespace Bamboo.Cli;

/// <summary>The <c>bamboo</c> command line: every command, ready to parse and invoke.</summary>
internal static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Bamboo: a durable workflow engine with bamboo-engine's Engine API")
        {
            ValidateCommand.Create(),
            RunCommand.Create(),
            StatesCommand.Create(),
            WorkerCommand.Create(),
            ServeCommand.Create(),
            ConformanceCommand.Create(),
        };
        foreach (var command in ControlCommands.Create().Concat(QueryCommands.Create()))
        {
            root.Subcommands.Add(command);
        }

        return root;
    }

    /// <summary>
    /// Parses and runs a command line; returns the exit code. Ctrl-C and SIGTERM cancel the command (as
    /// <paramref name="cancellationToken"/> does): workers then get EngineOptions.ShutdownGrace to finish what is in
    /// flight and hand the rest back, so the process is given that long plus a margin before it is ended. A second
    /// Ctrl-C ends it at once (see <see cref="Interrupts"/>).
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CancellationToken cancellationToken = default)
    {
        // The signals are ours, not System.CommandLine's: its handler holds the signal thread until the command ends,
        // so a second Ctrl-C would not be heard.
        var configuration = new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false };
        using var interrupts = new Interrupts(new Engine.Runtime.EngineOptions().ShutdownGrace + TimeSpan.FromSeconds(5), cancellationToken);
        try
        {
            var parse = Build().Parse(args);
            var code = await parse.InvokeAsync(configuration, interrupts.Token);
            // A usage error (unknown option, missing argument) prints what is wrong and exits 2, as every bad input does.
            return parse.Errors.Count > 0 ? ExitCodes.Refused : code;
        }
        catch (OperationCanceledException)
        {
            // Interrupted: the command's store was closed on the way out, after its workers said what they left.
            await Console.Error.WriteLineAsync("interrupted");
            return ExitCodes.Interrupted;
        }
        catch (Engine.Exceptions.StoreOpenException ex)
        {
            // One line, no stack trace: the path is not a store this command may open (a folder, another application's
            // file, a missing store for a command that only reads, another schema version). The file was left as it was.
            await Console.Error.WriteLineAsync($"store: {ex.Message}");
            return ExitCodes.Refused;
        }
        catch (System.Data.Common.DbException ex)
        {
            // One line, no stack trace: a full disk, an I/O error. What committed is safe.
            await Console.Error.WriteLineAsync($"store error: {ex.Message}");
            return ExitCodes.StoreFailed;
        }
    }
}
