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

    /// <summary>The first activity or variable whose component or type the registry lacks, said as people read it.</summary>
    internal static string? UnknownComponent(Engine.Model.Pipeline pipeline, Engine.Components.ComponentRegistry registry)
    {
        foreach (var node in pipeline.Activities.Values)
        {
            switch (node)
            {
                case Engine.Model.ServiceActivityNode a when !registry.HasComponent(a.ComponentCode, a.ComponentVersion):
                    return $"node {a.Id}: {Engine.Runtime.Requirement.Describe(Engine.Runtime.Requirement.Component(a.ComponentCode, a.ComponentVersion))} is not known";
                case Engine.Model.ServiceActivityNode a when a.Inputs.FirstOrDefault(i => i.Value.Type == "lazy" && i.Value.CustomType is { } t && !registry.HasVariable(t)) is { Key: not null } input:
                    return $"node {a.Id}, input {input.Key}: variable type {input.Value.CustomType} is not known";
                case Engine.Model.SubProcessNode sub when UnknownComponent(sub.Pipeline, registry) is { } inner:
                    return inner;
            }
        }

        foreach (var (key, value) in pipeline.Data.Inputs)
        {
            if (value.Type == "lazy" && value.CustomType is { } type && !registry.HasVariable(type))
            {
                return $"pipeline {pipeline.Id}, variable {key}: variable type {type} is not known";
            }
        }

        return null;
    }

    public static int Run(string file, bool cycleTolerate, TextWriter output, TextWriter error, string[]? components = null)
    {
        try
        {
            var pipeline = TreeLoader.Load(file);
            var registry = CliHost.Registry(components);
            var validated = new PipelineValidator(registry.EndEventCodes).Validate(pipeline, cycleTolerate);
            if (UnknownComponent(validated, registry) is { } unknown)
            {
                error.WriteLine($"invalid: {unknown}; pass the assembly that has it with --components FILE.dll");
                return 2;
            }

            output.WriteLine($"valid: pipeline {validated.Id}, {TreeLoader.CountNodes(validated)} nodes");
            return 0;
        }
        catch (BambooException ex)
        {
            error.WriteLine($"invalid: {InCliTerms(ex.Message)}");
            return 2;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"cannot read {file}: {ex.Message}");
            return 2;
        }
    }

    /// <summary>The engine's message with its API parameter named as this CLI's option.</summary>
    internal static string InCliTerms(string message) =>
        message.Replace("pass cycle_tolerate to allow loops", "pass --cycle-tolerate to allow loops", StringComparison.Ordinal);
}
