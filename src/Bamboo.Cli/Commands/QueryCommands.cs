using System.CommandLine;
using System.Text.Json.Nodes;
using Bamboo.Engine.Client;
using Bamboo.Engine.Execution;
using Spectre.Console;

namespace Bamboo.Cli.Commands;

/// <summary>
/// What people ask of a store: <c>list</c> (runs, newest first, filtered, paged), <c>show ID|NODE</c> (a run's tree,
/// or everything about one node) and <c>outputs ID</c>. Each can print JSON instead (<c>--json</c>).
/// </summary>
internal static class QueryCommands
{
    // Indented, escaped as ViewJson writes the views (the same text as the HTTP API's answers).
    private static readonly System.Text.Json.JsonSerializerOptions IndentedAsViews = new() { WriteIndented = true };

    public static IEnumerable<Command> Create()
    {
        yield return List();
        yield return Show();
        yield return Outputs();
    }

    private static string? StateProblem(string? state) => state?.ToUpperInvariant() switch
    {
        null => null,
        var s when NodeState.RunStates.Contains(s) => null,
        NodeState.Failed => "FAILED is a node's state, not a run's: a run with a failed node is RUNNING (bamboo list --state RUNNING, then bamboo show ID)",
        _ => $"unknown run state '{state}': one of {string.Join(", ", NodeState.RunStates)}",
    };

    private static Command List()
    {
        var state = new Option<string?>("--state") { Description = "only runs in this state (RUNNING, FINISHED, FAILED is a node state: use RUNNING and show)" };
        var text = new Option<string?>("--search") { Description = "part of the id or the name" };
        var limit = new Option<int>("--limit") { Description = "runs per page (1 to 500)", DefaultValueFactory = _ => 20 };
        limit.Validators.Add(r =>
        {
            // Read from the token: a value that is not a number has its own parse error, and reading it here would throw.
            if (r.Tokens is [{ } token] && int.TryParse(token.Value, System.Globalization.CultureInfo.InvariantCulture, out var count) && count is < 1 or > 500)
            {
                r.AddError("--limit must be a whole number from 1 to 500");
            }
        });
        var from = new Option<string?>("--from") { Description = $"only runs started at or after this time: {TimeArgument.Forms}" };
        var before = new Option<string?>("--before") { Description = "only runs started before this time (the same forms)" };
        var after = new Option<string?>("--after") { Description = "the cursor a previous page printed, to see the next one" };
        var json = new Option<bool>("--json") { Description = "machine-readable output" };
        var store = new StoreArguments();
        var command = new Command("list", "List runs, newest first") { state, text, from, before, limit, after, json };
        store.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (StateProblem(parse.GetValue(state)) is { } problem)
            {
                await Console.Error.WriteLineAsync(problem);
                return ExitCodes.Refused;
            }

            var now = DateTimeOffset.UtcNow;
            DateTimeOffset? fromTime = null, beforeTime = null;
            foreach (var (option, set) in new (Option<string?> Option, Action<DateTimeOffset> Set)[] { (from, t => fromTime = t), (before, t => beforeTime = t) })
            {
                if (parse.GetValue(option) is not { } text)
                {
                    continue;
                }

                if (!TimeArgument.TryParse(text, now, out var time))
                {
                    await Console.Error.WriteLineAsync($"bad input: {option.Name} '{text}' is not a time: {TimeArgument.Forms}");
                    return ExitCodes.Refused;
                }

                set(time);
            }

            await using var host = await CliHost.OpenAsync(store.Get(parse), readOnly: true, cancellationToken: ct);
            PipelinePage page;
            try
            {
                page = await host.Client.ListPipelinesAsync(new PipelineQuery
                {
                    State = parse.GetValue(state)?.ToUpperInvariant(),
                    Text = parse.GetValue(text),
                    From = fromTime,
                    Before = beforeTime,
                    Limit = parse.GetValue(limit),
                    After = parse.GetValue(after),
                }, ct);
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"bad input: {ex.Message}");
                return ExitCodes.Refused;
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(ViewJson.Serialize(page, indented: true));
                return ExitCodes.Ok;
            }

            if (page.Items.Count == 0)
            {
                // An empty table reads like a broken command; say why there is nothing. Not an error: exit 0.
                var filtered = parse.GetValue(state) is not null || parse.GetValue(text) is not null || fromTime is not null || beforeTime is not null || parse.GetValue(after) is not null;
                Console.WriteLine(filtered ? "no runs match these filters" : $"no runs in {host.Location}");
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("id", "name", "state", "started", "ended");
            foreach (var run in page.Items)
            {
                table.AddRow(Markup.Escape(TextTree.Printable(run.Id)), Markup.Escape(TextTree.Printable(run.Name)), Markup.Escape(run.State), run.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
                    run.ArchivedAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "");
            }

            Tables.Write(table);
            if (page.Next is not null)
            {
                // The next page of the same list: the filters, the page size and the store go with the cursor.
                var same = string.Concat(
                    parse.GetValue(state) is { } st ? $" --state {st.ToUpperInvariant()}" : "",
                    parse.GetValue(text) is { } search ? $" --search {Follow.ShellQuoted(search)}" : "",
                    fromTime is { } f ? $" --from {TimeArgument.Format(f)}" : "",
                    beforeTime is { } b ? $" --before {TimeArgument.Format(b)}" : "",
                    parse.GetResult(limit) is { Implicit: false } ? $" --limit {parse.GetValue(limit)}" : "");
                Console.WriteLine($"more: bamboo list{same} --after {page.Next}{host.Location.Flags}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = "a run's id, or a node's" };
        var json = new Option<bool>("--json") { Description = "machine-readable output" };
        var store = new StoreArguments();
        var command = new Command("show", "Show a run's state tree, or one node: its inputs, outputs, error, histories and what can be done with it") { id, json };
        store.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var host = await CliHost.OpenAsync(store.Get(parse), readOnly: true, cancellationToken: ct);
            var target = parse.GetValue(id)!;
            if (await host.Client.GetPipelineAsync(target, ct) is { } run)
            {
                var outcome = await host.Client.GetOutcomeAsync(target, ct);
                if (parse.GetValue(json))
                {
                    // The HTTP API's answer for GET /api/pipelines/{id}: the run's view with how it stands.
                    var answer = JsonNode.Parse(ViewJson.Serialize(run))!.AsObject();
                    if (outcome is not null)
                    {
                        var stands = JsonNode.Parse(ViewJson.Serialize(outcome))!.AsObject();
                        stands.Remove("root_id");
                        answer["outcome"] = stands;
                    }

                    Console.WriteLine(answer.ToJsonString(IndentedAsViews));
                    return ExitCodes.Ok;
                }

                if (outcome is not null)
                {
                    await Follow.ReportAsync(host, outcome, ct);
                }

                return ExitCodes.Ok;
            }

            if (await host.Client.GetNodeAsync(target, ct) is not { } node)
            {
                await Console.Error.WriteLineAsync($"no run and no node has the id {target}");
                return ExitCodes.Refused;
            }

            if (parse.GetValue(json))
            {
                Console.WriteLine(ViewJson.Serialize(node, indented: true));
                return ExitCodes.Ok;
            }

            Print(node);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static void Print(NodeDetail node)
    {
        var v = node.Node;
        // Names and ids come from trees: control characters in them must not reach the terminal.
        Console.WriteLine(TextTree.Printable($"{(string.IsNullOrEmpty(v.Name) || v.Name == v.Id ? v.Id : $"{v.Name} ({v.Id})")}: {v.Kind}{(v.Component is null ? "" : " " + v.Component)} in run {node.RootId}"));
        Console.WriteLine($"state: {v.State ?? "not started"}{(v.State is null ? "" : $" (loop {v.Loop}, retry {v.Retry}{(v.Skip ? ", skipped" : "")}, version {v.Version})")}");
        if (v.StartedAt is { } started)
        {
            Console.WriteLine($"started: {started:u}{(v.ArchivedAt is { } ended ? $", ended: {ended:u}" : "")}");
        }

        if (node.Error is not null)
        {
            Console.WriteLine($"error: {node.Error}");
        }

        Console.WriteLine("inputs: " + node.Inputs.ToJsonString(HumanJson.Indented));
        Console.WriteLine("outputs: " + node.Outputs.ToJsonString(HumanJson.Indented));
        foreach (var h in node.Histories)
        {
            Console.WriteLine($"earlier attempt: loop {h.Loop}, retry {h.Retry}{(h.Skip ? ", skipped" : "")}, outputs {h.Outputs.ToJsonString()}");
        }

        if (node.Actions.Count > 0)
        {
            Console.WriteLine("can be: " + string.Join(", ", node.Actions));
        }
    }

    private static Command Outputs()
    {
        var id = new Argument<string>("id") { Description = "a run's id" };
        var store = new StoreArguments();
        var command = new Command("outputs", "Print a run's outputs (its root pipeline's exported variables) as JSON") { id };
        store.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            await using var host = await CliHost.OpenAsync(store.Get(parse), readOnly: true, cancellationToken: ct);
            if (await host.Client.GetPipelineOutputsAsync(parse.GetValue(id)!, ct) is not JsonObject outputs)
            {
                await Console.Error.WriteLineAsync($"no run has the id {parse.GetValue(id)}");
                return ExitCodes.Refused;
            }

            Console.WriteLine(outputs.ToJsonString(HumanJson.Indented));
            return ExitCodes.Ok;
        });
        return command;
    }
}
