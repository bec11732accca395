using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Execution;
using Spectre.Console;

namespace Bamboo.Cli.Commands;

/// <summary><c>bamboo states ID</c>: prints a pipeline's state tree; also follows a run until it stops.</summary>
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
                Console.WriteLine(data.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                Print(data);
            }

            return 0;
        });
        return command;
    }

    /// <summary>Prints node state changes until the run finishes or stops; returns the run's exit code.</summary>
    public static async Task<int> FollowAsync(CliHost host, string rootId, CancellationToken ct)
    {
        var seen = new Dictionary<string, string>();
        var tree = await host.Store.ReadAsync(async tx => (await tx.Runs.GetAsync(rootId))?.TreeJson, ct);
        var total = tree is null ? 1 : TreeLoader.CountNodes(Engine.Model.Pipeline.Parse(tree)) + 1;
        await AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask($"[green]{Markup.Escape(rootId)}[/]", maxValue: total);
                await WatchAsync(host, rootId, seen, done => bar.Value = done, ct);
            });
        return await ReportAsync(host, rootId, seen, ct);
    }

    /// <summary>Prints every node state change until the root ends or nothing is left to do.</summary>
    private static async Task WatchAsync(CliHost host, string rootId, Dictionary<string, string> seen, Action<int> progress, CancellationToken ct)
    {
        var quietSince = DateTime.UtcNow;
        while (!ct.IsCancellationRequested)
        {
            var states = (await EngineApi.GetPipelineStatesAsync(host.Engine, rootId, true, ct)).Data?[rootId] as JsonObject;
            var changed = false;
            foreach (var (id, entry) in (states?["children"] as JsonObject ?? []).Append(KeyValuePair.Create(rootId, (JsonNode?)states)))
            {
                var name = entry?["state"]?.GetValue<string>() ?? "";
                if (seen.GetValueOrDefault(id) != name)
                {
                    seen[id] = name;
                    changed = true;
                    AnsiConsole.MarkupLine($"  {Markup.Escape(name),-10} {Markup.Escape(id)}");
                }
            }

            progress(seen.Count(kv => kv.Value is NodeState.Finished or NodeState.Failed or NodeState.Revoked));

            var root = seen.GetValueOrDefault(rootId);
            if (root is NodeState.Finished or NodeState.Revoked || host.StoreError is not null)
            {
                break;
            }

            var idle = (await host.Store.ReadAsync(tx => tx.Tasks.GetForRootAsync(rootId), ct)).Count == 0;
            quietSince = changed || !idle ? DateTime.UtcNow : quietSince;
            if (idle && DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(1))
            {
                break;
            }

            await Task.Delay(50, ct);
        }
    }

    private static async Task<int> ReportAsync(CliHost host, string rootId, Dictionary<string, string> seen, CancellationToken ct)
    {
        if (host.StoreError is { } storeError)
        {
            await Console.Error.WriteLineAsync($"store error: {storeError.Message}; what committed is safe, continue with: bamboo worker {host.Location.Arguments}");
            return ExitCodes.StoreFailed;
        }

        var final = (await EngineApi.GetPipelineStatesAsync(host.Engine, rootId, false, ct)).Data as JsonObject ?? [];
        Print(final);
        var failed = seen.Where(kv => kv.Value == NodeState.Failed).Select(kv => kv.Key).ToList();
        if (seen.GetValueOrDefault(rootId) == NodeState.Finished)
        {
            Console.WriteLine("pipeline finished");
            return 0;
        }

        if (failed.Count > 0)
        {
            foreach (var node in failed)
            {
                var outputs = (await EngineApi.GetExecutionDataOutputsAsync(host.Engine, node, ct)).Data;
                Console.WriteLine($"node {node} FAILED: {outputs?["ex_data"]?.ToString() ?? "(no ex_data)"}");
            }

            Console.WriteLine($"act on it: bamboo retry NODE [--data JSON], bamboo skip NODE, or bamboo revoke {rootId}");
            return 1;
        }

        Console.WriteLine($"pipeline is {seen.GetValueOrDefault(rootId)} and waiting (callback, pause or appointment)");
        return 0;
    }

    public static void Print(JsonObject states)
    {
        foreach (var (id, entry) in states)
        {
            var tree = new Tree($"[bold]{Markup.Escape(id)}[/] {Markup.Escape(entry?["state"]?.ToString() ?? "")}");
            AddChildren(tree.AddNode, entry as JsonObject);
            AnsiConsole.Write(tree);
        }
    }

    private static void AddChildren(Func<string, TreeNode> add, JsonObject? entry)
    {
        foreach (var (id, child) in entry?["children"] as JsonObject ?? [])
        {
            var label = $"{Markup.Escape(id)} [grey]{Markup.Escape(child?["state"]?.ToString() ?? "")} loop={child?["loop"]} retry={child?["retry"]}{(child?["skip"]?.GetValue<bool>() == true ? " skipped" : "")}[/]";
            var node = add(label);
            AddChildren(node.AddNode, child as JsonObject);
        }
    }
}
