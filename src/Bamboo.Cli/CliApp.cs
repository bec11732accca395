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
}
