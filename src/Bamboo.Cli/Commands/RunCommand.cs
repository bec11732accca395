using System.CommandLine;
using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Cli.Commands;

/// <summary><c>bamboo run TREE.json</c>: runs a tree on the embedded store until it finishes or stops.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var tree = new Argument<string>("tree") { Description = "pipeline tree JSON file" };
        var data = new Option<string?>("--data") { Description = "root_pipeline_data as a JSON object" };
        var store = new StoreArguments();
        var cycles = new Option<bool>("--cycle-tolerate") { Description = "allow loops" };
        var components = CliHost.ComponentsOption();
        var command = new Command("run", "Run a pipeline tree and show its progress") { tree, data, cycles, components };
        store.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(tree)!, parse.GetValue(data), store.Get(parse), parse.GetValue(cycles), parse.GetValue(components) ?? [], ct));
        return command;
    }

    public static async Task<int> RunAsync(string file, string? data, StoreLocation location, bool cycleTolerate, string[] components, CancellationToken ct)
    {
        Engine.Model.Pipeline pipeline;
        JsonObject rootData;
        Engine.Components.ComponentRegistry registry;
        try
        {
            registry = CliHost.Registry(components);
            pipeline = TreeLoader.Load(file);
            rootData = data is null ? [] : JsonNode.Parse(data) as JsonObject ?? throw new PipelineFormatException("--data", "must be a JSON object");
        }
        catch (Exception ex) when (ex is BambooException or IOException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"bad input: {ex.Message}");
            return 2;
        }

        await using var host = await CliHost.OpenAsync(location, registry, cancellationToken: ct);
        Console.WriteLine($"store: {location}");
        var result = await EngineApi.RunPipelineAsync(host.Engine, pipeline, new RunPipelineOptions { RootPipelineData = rootData, CycleTolerate = cycleTolerate, CheckComponents = true }, ct);
        if (result.Exception is System.Data.Common.DbException)
        {
            Console.Error.WriteLine($"store error: {result.Message}");
            return ExitCodes.StoreFailed;
        }

        if (!result.Result)
        {
            Console.Error.WriteLine($"refused: {result.Message}");
            return ExitCodes.Refused;
        }

        host.StartWorkers([pipeline.Id]);
        return await StatesCommand.FollowAsync(host, pipeline.Id, ct);
    }
}
