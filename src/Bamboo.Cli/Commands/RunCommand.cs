using System.CommandLine;
using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;

namespace Bamboo.Cli.Commands;

/// <summary>
/// <c>bamboo run TREE.json</c>: starts a tree and follows it until it stops. A tree can run again: when its ids ran in
/// this store before, the run gets fresh ids (as SOPS gives every run), and the command says so.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var tree = new Argument<string>("tree") { Description = "pipeline tree JSON file" };
        var data = new Option<string?>("--data") { Description = "root_pipeline_data as a JSON object (what components see as parent data)" };
        var vars = new Option<string[]>("--var") { Description = "a pipeline variable, key=value (value as JSON, or text); repeatable", AllowMultipleArgumentsPerToken = false };
        var inputs = new Option<string?>("--inputs") { Description = "a JSON file of pipeline variables {\"key\": value, ...}" };
        var start = new Option<string?>("--start") { Description = "start at this node of the main line instead of the start event" };
        var name = new Option<string?>("--name") { Description = "the run's name in lists (default: the tree's name, or the file's)" };
        var freshIds = new Option<bool>("--fresh-ids") { Description = "give the run new ids even if the tree's are free" };
        var noWait = new Option<bool>("--no-wait") { Description = "start the run and return; workers elsewhere run it" };
        var cycles = new Option<bool>("--cycle-tolerate") { Description = "allow loops" };
        var store = new StoreArguments();
        var components = CliHost.ComponentsOption();
        var command = new Command("run", "Run a pipeline tree and show its progress") { tree, data, vars, inputs, start, name, freshIds, noWait, cycles, components };
        store.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(new RunRequest(parse.GetValue(tree)!, parse.GetValue(data), parse.GetValue(vars) ?? [], parse.GetValue(inputs),
            parse.GetValue(start), parse.GetValue(name), parse.GetValue(freshIds), parse.GetValue(noWait), parse.GetValue(cycles)), store.Get(parse), parse.GetValue(components) ?? [], ct));
        return command;
    }

    /// <summary>What <c>run</c> was asked to do.</summary>
    internal sealed record RunRequest(
        string File, string? Data = null, IReadOnlyList<string>? Vars = null, string? Inputs = null, string? Start = null, string? Name = null,
        bool FreshIds = false, bool NoWait = false, bool CycleTolerate = false);

    public static Task<int> RunAsync(string file, string? data, StoreLocation location, bool cycleTolerate, string[] components, CancellationToken ct) =>
        RunAsync(new RunRequest(file, data, CycleTolerate: cycleTolerate), location, components, ct);

    public static async Task<int> RunAsync(RunRequest request, StoreLocation location, string[] components, CancellationToken ct)
    {
        Pipeline pipeline;
        JsonObject rootData;
        Engine.Components.ComponentRegistry registry;
        try
        {
            registry = CliHost.Registry(components);
            pipeline = WithVariables(TreeLoader.Load(request.File), request);
            rootData = request.Data is null ? [] : JsonNode.Parse(request.Data) as JsonObject ?? throw new PipelineFormatException("--data", "must be a JSON object");
        }
        catch (Exception ex) when (ex is BambooException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            await Console.Error.WriteLineAsync($"bad input: {ex.Message}");
            return ExitCodes.Refused;
        }

        await using var host = await CliHost.OpenAsync(location, registry, cancellationToken: ct);
        host.ComponentFiles = components;
        var start = request.Start;
        var original = pipeline;
        // The tree under fresh ids, the start node renamed with it; says why unless --fresh-ids asked for it.
        void Fresh(string? ranBefore)
        {
            pipeline = FreshIds.Copy(original, out var renamed);
            start = request.Start is null ? null : renamed(request.Start);
            if (ranBefore is not null)
            {
                Console.WriteLine($"{ranBefore} ran in this store before: this run is {pipeline.Id}, with fresh node ids (suffix {pipeline.Id[original.Id.Length..]})");
            }
        }

        if (request.FreshIds)
        {
            Fresh(null);
        }
        else if (await host.Store.ReadAsync(tx => tx.Runs.GetNodeRootAsync(pipeline.Id), ct) is not null)
        {
            Fresh(pipeline.Id);
        }

        Console.WriteLine($"store: {location}");
        var options = new RunPipelineOptions
        {
            RootPipelineData = rootData,
            CycleTolerate = request.CycleTolerate,
            // This process runs what it starts unless --no-wait hands the run to the workers, which may have components
            // it lacks (then it only says so).
            CheckComponents = !request.NoWait,
            StartNodeId = start,
            Name = request.Name ?? NameOf(pipeline, request.File),
        };
        var result = await host.Client.RunPipelineAsync(pipeline, options, ct);
        if (result.Exception is IdTakenError taken && ReferenceEquals(pipeline, original))
        {
            // The root id is free but a node id ran in another run: the tree runs again under fresh ids all the same.
            Fresh("node " + taken.Id);
            result = await host.Client.RunPipelineAsync(pipeline, options with { StartNodeId = start }, ct);
        }

        if (result.Exception is System.Data.Common.DbException)
        {
            await Console.Error.WriteLineAsync($"store error: {result.Message}");
            return ExitCodes.StoreFailed;
        }

        if (!result.Result)
        {
            await Console.Error.WriteLineAsync($"refused: {ValidateCommand.InCliTerms(result.Message)}");
            return ExitCodes.Refused;
        }

        Console.WriteLine($"started {pipeline.Id}");
        if (request.NoWait)
        {
            if (ValidateCommand.UnknownComponent(pipeline, registry) is { } unknown)
            {
                Console.WriteLine($"note: {unknown} here; a worker that has it (bamboo worker --components FILE.dll) will run it");
            }

            return ExitCodes.Ok;
        }

        await host.StartWorkersAsync([pipeline.Id], ct);
        return await Follow.RunAsync(host, pipeline.Id, ct);
    }

    /// <summary>The start node under the run's ids: given as in the file, it may have been renamed with the run.</summary>
    private static string NameOf(Pipeline pipeline, string file) =>
        pipeline.ToJson()["name"] is JsonValue v && v.TryGetValue<string>(out var name) && name.Length > 0 ? name : Path.GetFileNameWithoutExtension(file);

    /// <summary>The tree with its pipeline variables set: <c>--inputs FILE</c> first, then each <c>--var key=value</c>.</summary>
    private static Pipeline WithVariables(Pipeline pipeline, RunRequest request)
    {
        var values = new List<(string Key, JsonNode? Value)>();
        if (request.Inputs is { } file)
        {
            var parsed = JsonNode.Parse(File.ReadAllText(file)) as JsonObject ?? throw new PipelineFormatException("--inputs", $"{file} must hold a JSON object of variables");
            values.AddRange(parsed.Select(kv => (kv.Key, kv.Value?.DeepClone())));
        }

        foreach (var assignment in request.Vars ?? [])
        {
            var eq = assignment.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new PipelineFormatException("--var", $"'{assignment}' is not key=value");
            }

            values.Add((assignment[..eq], ParseValue(assignment[(eq + 1)..])));
        }

        if (values.Count == 0)
        {
            return pipeline;
        }

        var tree = pipeline.ToJson();
        var data = tree["data"] as JsonObject ?? [];
        tree["data"] = data;
        var variables = data["inputs"] as JsonObject ?? [];
        data["inputs"] = variables;
        foreach (var (key, value) in values)
        {
            var wrapped = key.StartsWith("${", StringComparison.Ordinal) ? key : "${" + key + "}";
            variables[wrapped] = new JsonObject { ["type"] = "plain", ["value"] = value };
        }

        string text;
        try
        {
            text = tree.ToJsonString();
        }
        catch (InvalidOperationException)
        {
            // JSON may escape half a surrogate pair ("\ud800"); it is not text, and no store could keep it.
            throw new PipelineFormatException("--var", "a value holds a lone UTF-16 surrogate (\\uD800-\\uDFFF without its pair), which is not text");
        }

        return Pipeline.Parse(text);
    }

    /// <summary>A value as JSON when it is JSON (numbers, true, objects, quoted text), as text otherwise.</summary>
    private static JsonNode? ParseValue(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (System.Text.Json.JsonException)
        {
            return JsonValue.Create(text);
        }
    }
}
