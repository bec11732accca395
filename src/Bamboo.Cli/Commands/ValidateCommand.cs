using System.CommandLine;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Validation;

namespace Bamboo.Cli.Commands;

/// <summary><c>bamboo validate TREE.json</c>: exit 0 with a summary, or 2 with what is wrong.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var tree = new Argument<string>("tree") { Description = "pipeline tree JSON file (or a conformance scenario file)" };
        var cycles = new Option<bool>("--cycle-tolerate") { Description = "allow loops" };
        var components = CliHost.ComponentsOption();
        var command = new Command("validate", "Check a pipeline tree without running it") { tree, cycles, components };
        command.SetAction(parse => Run(parse.GetValue(tree)!, parse.GetValue(cycles), Console.Out, Console.Error, parse.GetValue(components)));
        return command;
    }

    public static int Run(string file, bool cycleTolerate, TextWriter output, TextWriter error, string[]? components = null)
    {
        try
        {
            var pipeline = TreeLoader.Load(file);
            var validated = new PipelineValidator(CliHost.Registry(components).EndEventCodes).Validate(pipeline, cycleTolerate);
            output.WriteLine($"valid: pipeline {validated.Id}, {TreeLoader.CountNodes(validated)} nodes");
            return 0;
        }
        catch (BambooException ex)
        {
            error.WriteLine($"invalid: {ex.Message}");
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"cannot read {file}: {ex.Message}");
            return 2;
        }
    }
}
