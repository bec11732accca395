using System.CommandLine;
using System.Text.Json.Nodes;
using Bamboo.Engine.Api;
using Bamboo.Engine.Client;

namespace Bamboo.Cli.Commands;

/// <summary>
/// Operator verbs (pause, resume, revoke, retry, skip, callback, ...). Each calls the Engine API, then, like
/// <c>run</c>, keeps that pipeline going until it next stops and prints how it stands (or, with --no-wait, returns).
/// Exit codes: 0 finished or waiting, 1 stopped at a failed node, 2 refused or bad input, 3 the store failed.
/// </summary>
internal static class ControlCommands
{
    private delegate Task<EngineApiResult> Action(BambooClient client, ParseResult parse, CancellationToken ct);

    public static IEnumerable<Command> Create()
    {
        var id = new Argument<string>("id") { Description = "pipeline id (root or subprocess)" };
        var node = new Argument<string>("node") { Description = "node id" };
        var data = new Option<string?>("--data") { Description = "JSON object" };
        var flow = new Argument<string>("flow") { Description = "outgoing flow id to take" };
        var flows = new Option<string[]>("--flows") { Description = "outgoing flow ids to take", AllowMultipleArgumentsPerToken = true, Required = true };
        var converge = new Option<string>("--converge") { Description = "the gateway's converge gateway id", Required = true };
        var version = new Option<string?>("--version") { Description = "state version (default: the node's current one)" };
        var message = new Option<string>("--message") { Description = "ex_data to record", DefaultValueFactory = _ => "forced fail by operator" };

        yield return Verb("pause", "Pause a pipeline: running nodes finish, nothing new starts", id, [], (rt, p, ct) => rt.PausePipelineAsync(p.GetValue(id)!, ct));
        yield return Verb("resume", "Resume a paused pipeline", id, [], (rt, p, ct) => rt.ResumePipelineAsync(p.GetValue(id)!, ct));
        yield return Verb("revoke", "Revoke a pipeline: nothing new starts, ever", id, [], (rt, p, ct) => rt.RevokePipelineAsync(p.GetValue(id)!, ct));
        yield return Verb("pause-node", "Pause before a node (it will not start until resumed)", node, [], (rt, p, ct) => rt.PauseNodeAppointAsync(p.GetValue(node)!, ct));
        yield return Verb("resume-node", "Let a node paused by pause-node run", node, [], (rt, p, ct) => rt.ResumeNodeAppointAsync(p.GetValue(node)!, ct));
        yield return Verb("retry", "Retry a failed node, optionally with new inputs (--data)", node, [data], (rt, p, ct) => rt.RetryNodeAsync(p.GetValue(node)!, ParseObject(p.GetValue(data)), ct));
        yield return Verb("retry-subprocess", "Retry a subprocess that failed while starting", node, [], (rt, p, ct) => rt.RetrySubprocessAsync(p.GetValue(node)!, ct));
        yield return Verb("skip", "Skip a failed activity and continue", node, [], (rt, p, ct) => rt.SkipNodeAsync(p.GetValue(node)!, ct));
        yield return Verb("forced-fail", "Fail a running activity", node, [message], (rt, p, ct) => rt.ForcedFailActivityAsync(p.GetValue(node)!, p.GetValue(message)!, ct));
        var skipGateway = Verb("skip-gateway", "Skip a failed exclusive gateway along one flow", node, [], (rt, p, ct) => rt.SkipExclusiveGatewayAsync(p.GetValue(node)!, p.GetValue(flow)!, ct));
        skipGateway.Arguments.Add(flow);
        yield return skipGateway;
        yield return Verb("skip-parallel-gateway", "Skip a failed conditional parallel gateway along chosen flows", node, [flows, converge],
            (rt, p, ct) => rt.SkipConditionalParallelGatewayAsync(p.GetValue(node)!, p.GetValue(flows)!, p.GetValue(converge)!, ct));
        yield return Verb("callback", "Deliver callback data to an activity waiting for it", node, [data, version],
            (rt, p, ct) => rt.CallbackAsync(p.GetValue(node)!, ParseObject(p.GetValue(data)) ?? [], p.GetValue(version), ct));
    }

    /// <summary>
    /// Why a refused verb may have been the wrong one: a run's id given to a node verb, or a plain node's id to a
    /// pipeline verb (the engine's own message speaks of states and missing nodes).
    /// </summary>
    private static async Task<string?> WrongKindAsync(BambooClient client, string id, bool pipelineVerb, CancellationToken ct)
    {
        if (pipelineVerb)
        {
            return await client.GetPipelineAsync(id, ct) is null && await client.GetNodeAsync(id, ct) is { Node.Kind: not nameof(Engine.Model.NodeKind.SubProcess) } node
                ? $"note: {id} is a node ({node.Node.Kind}) of run {node.RootId}, not a pipeline; pause-node and resume-node act on a node"
                : null;
        }

        return await client.GetPipelineAsync(id, ct) is not null
            ? $"note: {id} is a run, not one of its nodes; pause, resume and revoke act on a run"
            : null;
    }

    private static JsonObject? ParseObject(string? json)
    {
        if (json is null)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new FormatException("--data must be a JSON object");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new FormatException($"--data is not valid JSON: {ex.Message}", ex);
        }
    }

    private static Command Verb(string name, string description, Argument<string> target, Option[] options, Action action)
    {
        var store = new StoreArguments();
        var components = CliHost.ComponentsOption();
        var noWait = new Option<bool>("--no-wait") { Description = "return once the call is accepted; workers elsewhere go on" };
        var command = new Command(name, description) { target, components, noWait };
        store.AddTo(command);
        foreach (var o in options)
        {
            command.Options.Add(o);
        }

        command.SetAction(async (parse, ct) =>
        {
            await using var host = await CliHost.OpenAsync(store.Get(parse), CliHost.Registry(parse.GetValue(components)), cancellationToken: ct);
            host.ComponentFiles = parse.GetValue(components) ?? [];
            EngineApiResult result;
            try
            {
                result = await action(host.Client, parse, ct);
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
            {
                await Console.Error.WriteLineAsync($"bad input: {ex.Message}");
                return ExitCodes.Refused;
            }

            if (result.Exception is System.Data.Common.DbException)
            {
                await Console.Error.WriteLineAsync($"store error: {result.Message}");
                return ExitCodes.StoreFailed;
            }

            var targetId = parse.GetValue(target)!;
            if (!result.Result)
            {
                await Console.Error.WriteLineAsync($"refused: {result.Message}");
                if (await WrongKindAsync(host.Client, targetId, pipelineVerb: target.Name == "id", ct) is { } hint)
                {
                    await Console.Error.WriteLineAsync(hint);
                }

                return ExitCodes.Refused;
            }

            var root = await host.Store.ReadAsync(tx => tx.Runs.GetNodeRootAsync(targetId), ct) ?? targetId;
            Console.WriteLine($"{name}: accepted");
            if (parse.GetValue(noWait))
            {
                return ExitCodes.Ok;
            }

            await host.StartWorkersAsync([root], ct);
            return await Follow.RunAsync(host, root, ct);
        });
        return command;
    }
}
