using System.CommandLine;
using System.Text.Json.Nodes;
using Bamboo.Engine.Api;

namespace Bamboo.Cli.Commands;

/// <summary><c>bamboo states ID</c>: prints a pipeline's state tree.</summary>
internal static class StatesCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("id") { Description = "root pipeline id" };
        var store = new StoreArguments();
        var json = new Option<bool>("--json") { Description = "machine-readable output" };
        var command = new Command("states", "Show the states of a pipeline") { id, json };
        store.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var host = await CliHost.OpenAsync(store.Get(parse), readOnly: true, cancellationToken: ct);
            var result = await EngineApi.GetPipelineStatesAsync(host.Engine, parse.GetValue(id)!, flatChildren: false, ct);
            if (result.Data is not JsonObject { Count: > 0 } data)
            {
                Console.Error.WriteLine($"pipeline {parse.GetValue(id)} not found");
                return 2;
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(data.ToJsonString(HumanJson.Indented));
            }
            else
            {
                Print(data);
            }

            return 0;
        });
        return command;
    }

    /// <summary>get_pipeline_states' answer as a tree of node ids with their states.</summary>
    private static void Print(JsonObject states)
    {
        foreach (var (id, entry) in states)
        {
            var tree = new TextTree(id, entry?["state"]?.ToString() ?? "");
            AddChildren(tree, entry as JsonObject);
            tree.Write();
        }
    }

    private static void AddChildren(TextTree parent, JsonObject? entry)
    {
        foreach (var (id, child) in entry?["children"] as JsonObject ?? [])
        {
            var node = parent.Add(id, $"{child?["state"]} loop={child?["loop"]} retry={child?["retry"]}{(child?["skip"]?.GetValue<bool>() == true ? " skipped" : "")}");
            AddChildren(node, child as JsonObject);
        }
    }
}
