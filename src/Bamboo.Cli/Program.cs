using System.CommandLine;
using Bamboo.Cli.Commands;

var root = new RootCommand("Bamboo: a durable workflow engine with bamboo-engine's Engine API")
{
    ValidateCommand.Create(),
    RunCommand.Create(),
    StatesCommand.Create(),
    ConformanceCommand.Create(),
    WorkerCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
