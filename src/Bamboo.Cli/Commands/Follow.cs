using System.Text.Json.Nodes;
using Bamboo.Engine.Client;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;

namespace Bamboo.Cli.Commands;

/// <summary>
/// Follows a run until it stops and says how it ended: the state tree with names, the outputs, and for each node that
/// needs an operator the command that applies to it. On a terminal it also shows node events as they happen (from
/// this process's engine, not by polling the tree); off a terminal it prints only the result.
/// </summary>
internal static class Follow
{
    public static async Task<int> RunAsync(CliHost host, string rootId, CancellationToken ct)
    {
        var live = !Console.IsOutputRedirected;
        var names = new Dictionary<string, string>();
        if (live && host.Pipelines is { } engine)
        {
            var view = await host.Client.GetPipelineAsync(rootId, ct);
            foreach (var node in view?.Nodes ?? [])
            {
                names[node.Id] = node.Name;
            }

            engine.EventRaised += (_, e) => Show(e, rootId, names);
        }

        var outcome = await host.Client.WaitForPipelineAsync(rootId, ct);
        if (host.StoreError is { } storeError)
        {
            await Console.Error.WriteLineAsync($"store error: {storeError.Message}; what committed is safe, continue with: {host.WorkerCommandLine}");
            return ExitCodes.StoreFailed;
        }

        return await ReportAsync(host, outcome, ct);
    }

    private static void Show(PipelineEvent e, string rootId, Dictionary<string, string> names)
    {
        if (e.RootPipelineId != rootId || e.NodeId is null)
        {
            return;
        }

        var what = e.Type switch
        {
            "node_enter" => "RUNNING ",
            "node_finish" => "FINISHED",
            "node_execute_fail" or "node_schedule_fail" => "FAILED  ",
            _ => null,
        };
        if (what is not null)
        {
            Console.Out.WriteLine($"  {what} {TextTree.Printable(Label(names.GetValueOrDefault(e.NodeId, ""), e.NodeId))}");
        }
    }

    private static string Label(string name, string id) => string.IsNullOrEmpty(name) || name == id ? id : $"{name} ({id})";

    /// <summary>Prints the tree, the outputs and what to do next; returns the exit code for how the run stands.</summary>
    public static async Task<int> ReportAsync(CliHost host, PipelineOutcome outcome, CancellationToken ct)
    {
        // Hints carry the store and the components: a retried plugin node needs a worker that has its component.
        var (client, store) = (host.Client, host.Flags);
        var rootId = outcome.RootId;
        var view = await client.GetPipelineAsync(rootId, ct);
        if (view is not null)
        {
            Print(view);
        }

        switch (outcome.End)
        {
            case PipelineEnd.Finished:
                var outputs = await client.GetPipelineOutputsAsync(rootId, ct) ?? [];
                Console.WriteLine($"pipeline {rootId} finished");
                if (outputs.Count > 0)
                {
                    Console.WriteLine("outputs: " + outputs.ToJsonString(HumanJson.Indented));
                }

                return ExitCodes.Ok;
            case PipelineEnd.Failed:
                foreach (var node in outcome.Nodes)
                {
                    var detail = await client.GetNodeAsync(node.Id, ct);
                    Console.WriteLine($"node {Label(node.Name, node.Id)} FAILED: {detail?.Error ?? "(no error recorded)"}");
                    foreach (var hint in Hints(detail, store))
                    {
                        Console.WriteLine($"  {hint}");
                    }
                }

                Console.WriteLine($"  or give up: bamboo revoke {rootId}{store}");
                return ExitCodes.Failed;
            case PipelineEnd.Revoked:
                Console.WriteLine($"pipeline {rootId} was revoked");
                return ExitCodes.Ok;
            case PipelineEnd.Suspended when outcome.Nodes.Count > 0:
                foreach (var node in outcome.Nodes)
                {
                    Console.WriteLine($"paused before node {Label(node.Name, node.Id)}; let it run: bamboo resume-node {node.Id}{store}");
                }

                return ExitCodes.Ok;
            case PipelineEnd.Suspended:
                Console.WriteLine($"pipeline {rootId} is paused; go on: bamboo resume {rootId}{store}");
                return ExitCodes.Ok;
            case PipelineEnd.WaitingForCallback:
                foreach (var node in outcome.Nodes)
                {
                    Console.WriteLine($"node {Label(node.Name, node.Id)} waits for a callback: bamboo callback {node.Id} --data '{{}}'{store}   (the data its service expects)");
                }

                return ExitCodes.Ok;
            case PipelineEnd.WaitingForWorker when outcome.Requirements.Count == 0:
                Console.WriteLine($"pipeline {rootId} waits for a worker, and none is running on this store: start one with {host.WorkerCommandLine}");
                return ExitCodes.Ok;
            case PipelineEnd.WaitingForWorker:
                // The test kit's components are built in; only others need the assembly that has them.
                Console.WriteLine($"pipeline {rootId} waits for a worker that has {string.Join(", ", outcome.Requirements)}: " +
                    $"start one with {host.WorkerCommandLine} (and --components FILE.dll for a component that is not built in)");
                return ExitCodes.Ok;
            default:
                Console.WriteLine(view?.State == Engine.Execution.NodeState.Suspended
                    ? $"pipeline {rootId} is pausing: it stops before its next node once the work under way is done; go on: bamboo resume {rootId}{store}"
                    : $"pipeline {rootId} is still running");
                return ExitCodes.Ok;
        }
    }

    /// <summary>
    /// The commands that apply to a node that needs an operator, by its kind and state; <paramref name="store"/> points
    /// them at this command's store.
    /// </summary>
    private static IEnumerable<string> Hints(NodeDetail? detail, string store)
    {
        if (detail is null)
        {
            yield break;
        }

        var id = detail.Node.Id;
        foreach (var action in detail.Actions)
        {
            yield return action switch
            {
                "retry_node" => $"retry it: bamboo retry {id}{store}" + (detail.Node.Kind == nameof(NodeKind.ServiceActivity) && RetryData(detail) is { Length: <= 200 } inputs
                    ? $"   (with other inputs: bamboo retry {id} --data {inputs}{store})"
                    : ""),
                "skip_node" => $"skip it: bamboo skip {id}{store}",
                "retry_subprocess" => $"retry the subprocess: bamboo retry-subprocess {id}{store}",
                "skip_exclusive_gateway" => $"take a flow: bamboo skip-gateway {id} FLOW{store}   (flows: {string.Join(", ", detail.Flows)})",
                "skip_conditional_parallel_gateway" =>
                    $"take flows: bamboo skip-parallel-gateway {id} --flows FLOW... --converge {detail.ConvergeGatewayId}{store}   (flows: {string.Join(", ", detail.Flows)})",
                _ => action,
            };
        }
    }

    /// <summary>
    /// What <c>retry --data</c> takes to run the node with the inputs it has, shell-quoted: the values of its raw inputs
    /// (retry replaces them all), not the rendered inputs the engine added its own keys to. Null when it has none.
    /// </summary>
    private static string? RetryData(NodeDetail detail)
    {
        var values = new JsonObject();
        foreach (var (key, raw) in detail.RawInputs)
        {
            values[key] = raw is JsonObject { } input && input.TryGetPropertyValue("value", out var value) ? value?.DeepClone() : raw?.DeepClone();
        }

        return values.Count == 0 ? null : ShellQuoted(values.ToJsonString());
    }

    /// <summary><paramref name="text"/> as one single-quoted shell word.</summary>
    public static string ShellQuoted(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary><paramref name="text"/> as one shell word: as it is when the shell leaves it so, else single-quoted.</summary>
    public static string ShellWord(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || "_-./:=@%+,".Contains(c)) ? text : ShellQuoted(text);

    /// <summary>The state tree: every node with a state, named, under its pipeline, in the order they started.</summary>
    public static void Print(PipelineView view)
    {
        var tree = new TextTree(Label(view.Name, view.Id), view.State);
        var branches = new Dictionary<string, TextTree> { [view.Id] = tree };
        var started = view.Nodes.Where(n => n.State is not null).Select((node, index) => (node, index))
            .OrderBy(n => n.node.StartedAt ?? DateTimeOffset.MaxValue).ThenBy(n => n.index).Select(n => n.node);
        foreach (var node in started)
        {
            var added = branches.GetValueOrDefault(node.ParentId, tree).Add(Label(node.Name, node.Id), $"{node.State} loop={node.Loop} retry={node.Retry}{(node.Skip ? " skipped" : "")}");
            if (node.Kind == nameof(Engine.Model.NodeKind.SubProcess))
            {
                branches[node.Id] = added;
            }
        }

        tree.Write();
    }
}
