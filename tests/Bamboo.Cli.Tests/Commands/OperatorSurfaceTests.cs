using System.Diagnostics;
using System.Text.Json.Nodes;
using Bamboo.Cli.Commands;
using Bamboo.Engine.Building;
using Bamboo.Engine.Client;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;

namespace Bamboo.Cli.Tests.Commands;

/// <summary>run again, list, show, outputs, variables, start node, --no-wait, component checks: what an operator types.</summary>
[Collection("console")]
public sealed class OperatorSurfaceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-surface-").FullName;
    private readonly TextWriter _out = Console.Out;
    private readonly TextWriter _err = Console.Error;

    public void Dispose()
    {
        Console.SetOut(_out);
        Console.SetError(_err);
        Directory.Delete(_dir, recursive: true);
    }

    private string Db => Path.Combine(_dir, "store.db");

    private static string Example(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(name);
    }

    /// <summary>Runs bamboo in this process; returns the exit code and what it wrote to stdout and stderr.</summary>
    private Task<(int Code, string Out, string Err)> Bamboo(params string[] args) =>
        CapturedAsync(() => CliApp.Build().Parse([.. args, "--db", Db]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken));

    /// <summary>Runs a command with the console captured; returns its exit code and what it wrote to stdout and stderr.</summary>
    private async Task<(int Code, string Out, string Err)> CapturedAsync(Func<Task<int>> command)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = await command();
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(_out);
            Console.SetError(_err);
        }
    }

    [Fact]
    public async Task Run_Subprocess_PrintsItsNodesUnderItAndStatesTheSameTreeWithIds()
    {
        var run = await Bamboo("run", Example("subprocess.json"));
        var states = await Bamboo("states", "p_subprocess");

        Assert.Equal(0, run.Code);
        Assert.Contains("""
            subprocess (p_subprocess) FINISHED
            ├── start (sp_start) FINISHED loop=1 retry=0
            ├── greeter (sp_sub) FINISHED loop=1 retry=0
            │   ├── start (sp_in_start) FINISHED loop=1 retry=0
            │   ├── sp_greet FINISHED loop=1 retry=0
            │   └── end (sp_in_end) FINISHED loop=1 retry=0
            └── end (sp_end) FINISHED loop=1 retry=0

            """.ReplaceLineEndings("\n"), run.Out, StringComparison.Ordinal);
        Assert.Equal(0, states.Code);
        Assert.Contains("├── sp_sub FINISHED loop=1 retry=0\n│   ├── sp_in_start FINISHED", states.Out, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', run.Out);
    }

    [Fact]
    public async Task ListAndShow_NamesWithControlCharacters_NeverReachTheTerminal()
    {
        var file = await HelloVariantAsync("evil", tree =>
        {
            tree["id"] = "p_evil";
            tree["activities"]!["hello_greet"]!["name"] = "greet\u001b[2J\u0007";
        });
        Assert.Equal(0, (await Bamboo("run", file, "--fresh-ids", "--name", "run\u001b]0;title\u0007")).Code);
        var greet = JsonNode.Parse((await Bamboo("list", "--json")).Out)!["items"]![0]!["id"]!.GetValue<string>().Replace("p_evil", "hello_greet", StringComparison.Ordinal);

        var list = await Bamboo("list");
        var show = await Bamboo("show", greet);

        Assert.Contains("run?]0;title?", list.Out, StringComparison.Ordinal);
        Assert.Contains("greet?[2J?", show.Out, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', list.Out + show.Out);
        Assert.DoesNotContain('\u0007', list.Out + show.Out);
    }

    [Fact]
    public async Task Outputs_OtherScripts_PrintAsTheyAre()
    {
        Assert.Equal(0, (await Bamboo("run", Example("hello.json"), "--var", "name=你好 \"q\"")).Code);

        var outputs = await Bamboo("outputs", "p_hello");

        // Escaped before: "hello \u4F60\u597D \u0022q\u0022".
        Assert.Contains("hello 你好 \\\"q\\\"", outputs.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_NewRootIdButNodeIdsThatRanBefore_RunsUnderFreshIds()
    {
        var file = await HelloVariantAsync("copy", tree => tree["id"] = "p_hello_copy");

        var first = await Bamboo("run", Example("hello.json"));
        var copy = await Bamboo("run", file);

        Assert.Equal(0, first.Code);
        Assert.Equal(0, copy.Code);
        Assert.Matches(@"node hello_\w+ ran in this store before: this run is p_hello_copy_[0-9a-f]{6}, with fresh node ids", copy.Out);
        Assert.Matches(@"pipeline p_hello_copy_[0-9a-f]{6} finished", copy.Out);
    }

    [Fact]
    public async Task Run_FailedExclusiveGateway_HintsSkipAlongAFlowAndRetryWithoutData()
    {
        var eg = new ExclusiveGateway(new Dictionary<int, string> { [0] = "1 == 0", [1] = "1 == 0" }, id: "eg");
        var start = new EmptyStartEvent();
        start.Extend(eg).Connect(new ServiceActivity("empty_node"), new ServiceActivity("empty_node"));
        eg.Converge(new ConvergeGateway()).Extend(new EmptyEndEvent());
        var file = Path.Combine(_dir, "gateway.json");
        await File.WriteAllTextAsync(file, PipelineBuilder.BuildTree(start).ToJson().ToJsonString());

        var run = await Bamboo("run", file);

        Assert.Equal(1, run.Code);
        Assert.Contains("take a flow: bamboo skip-gateway eg FLOW", run.Out, StringComparison.Ordinal);
        Assert.Contains($"retry it: bamboo retry eg --db {Db}\n", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Parallel_TreeListsTheBranchesBeforeTheJoinAndTheEnd()
    {
        var run = await Bamboo("run", Example("parallel.json"));

        var lines = run.Out.Split('\n').ToList();
        int At(string label) => lines.FindIndex(l => l.Contains(label, StringComparison.Ordinal));
        Assert.True(At("fork (par_pg)") < At("par_work_1") && At("par_work_3") < At("join (par_cg)") && At("join (par_cg)") < At("end (par_end)"), run.Out);
    }

    [Fact]
    public async Task Run_SameTreeTwice_BothRunTheSecondUnderFreshIdsAndListShowsBoth()
    {
        var first = await Bamboo("run", Example("hello.json"));
        var second = await Bamboo("run", Example("hello.json"));
        var list = await Bamboo("list", "--json");

        Assert.Equal(0, first.Code);
        Assert.Equal(0, second.Code);
        Assert.Contains("ran in this store before", second.Out, StringComparison.Ordinal);
        Assert.Contains("\"${greeting}\": \"hello world\"", second.Out, StringComparison.Ordinal);
        var ids = JsonNode.Parse(list.Out)!["items"]!.AsArray().Select(i => i!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(2, ids.Count);
        Assert.Contains("p_hello", ids);
        Assert.StartsWith("p_hello_", ids.Single(i => i != "p_hello"), StringComparison.Ordinal);

        // The suffix the second run names is its nodes' too.
        var suffix = System.Text.RegularExpressions.Regex.Match(second.Out, @"suffix (_[0-9a-f]{6})").Groups[1].Value;
        Assert.Equal("p_hello" + suffix, ids.Single(i => i != "p_hello"));
        Assert.Equal(0, (await Bamboo("show", "hello_greet" + suffix)).Code);
    }

    [Fact]
    public async Task Show_FailedNode_PrintsItsErrorAndTheVerbsThatApply()
    {
        var run = await Bamboo("run", Example("failing.json"));
        var show = await Bamboo("show", "fl_check");
        var missing = await Bamboo("show", "no_such_id");

        Assert.Equal(1, run.Code);
        Assert.Contains("bamboo retry fl_check", run.Out, StringComparison.Ordinal);
        Assert.Contains("bamboo skip fl_check", run.Out, StringComparison.Ordinal);
        Assert.Equal(0, show.Code);
        Assert.Contains("error:", show.Out, StringComparison.Ordinal);
        Assert.Contains("retry_node, skip_node", show.Out, StringComparison.Ordinal);
        Assert.Equal(2, missing.Code);
    }

    [Fact]
    public async Task Run_WithVariablesAndOutputs_TheVariableReachesTheOutputs()
    {
        var run = await Bamboo("run", Example("hello.json"), "--var", "name=operators");
        var outputs = await Bamboo("outputs", "p_hello");
        var unknown = await Bamboo("outputs", "p_nothing");

        Assert.Equal(0, run.Code);
        Assert.Equal("hello operators", JsonNode.Parse(outputs.Out)!["${greeting}"]!.GetValue<string>());
        Assert.Equal(2, unknown.Code);
    }

    [Fact]
    public async Task Run_NoWait_StartsAndReturnsAndAWorkerFinishesIt()
    {
        var run = await Bamboo("run", Example("hello.json"), "--no-wait");
        // With no worker on the store, show says so once the run's first task has waited (2 s) for one.
        var stranded = await Bamboo("show", "p_hello");
        for (var waited = Stopwatch.StartNew(); !stranded.Out.Contains("none is running", StringComparison.Ordinal) && waited.Elapsed < TimeSpan.FromSeconds(20);)
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            stranded = await Bamboo("show", "p_hello");
        }

        var worker = await Bamboo("worker", "--until-idle");
        var outputs = await Bamboo("outputs", "p_hello");

        Assert.Contains($"pipeline p_hello waits for a worker, and none is running on this store: start one with bamboo worker --db {Db}", stranded.Out, StringComparison.Ordinal);
        Assert.Equal(0, run.Code);
        Assert.Equal(0, worker.Code);
        Assert.Contains("p_hello", worker.Out, StringComparison.Ordinal);
        Assert.Equal("hello world", JsonNode.Parse(outputs.Out)!["${greeting}"]!.GetValue<string>());
    }

    [Fact]
    public async Task Report_WaitingForAComponent_SuggestsAWorkerOnThisStore()
    {
        Assert.Equal(0, (await Bamboo("run", Example("hello.json"))).Code);
        await using var host = await CliHost.OpenAsync(new StoreLocation(Db, null), readOnly: true, cancellationToken: TestContext.Current.CancellationToken);
        var outcome = new PipelineOutcome("p_hello", PipelineEnd.WaitingForWorker, []) { Requirements = ["component delay (version legacy)"] };
        var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            await Follow.ReportAsync(host, outcome, TestContext.Current.CancellationToken);
        }
        finally
        {
            Console.SetOut(_out);
        }

        // delay is built in: the worker to start is a plain one on this store, not one with some FILE.dll.
        Assert.Contains($"waits for a worker that has component delay (version legacy): start one with bamboo worker --db {Db} (and --components FILE.dll for a component that is not built in)", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Interrupted_HandsBackItsWorkExitsWith130AndAWorkerFinishesIt()
    {
        var file = await HelloVariantAsync("slow", tree =>
        {
            tree["activities"]!["hello_greet"]!["component"] = new JsonObject
            {
                ["code"] = "delay",
                ["inputs"] = new JsonObject { ["ms"] = new JsonObject { ["type"] = "plain", ["value"] = 2000 } },
            };
        });
        var error = new StringWriter();
        using var interrupt = new CancellationTokenSource();
        int code;
        // Interrupted once the run is stored and its service runs (a fixed delay could land before, on a slow machine).
        Console.SetOut(new LineWatcher(line => line.StartsWith("started ", StringComparison.Ordinal), () => interrupt.CancelAfter(300)));
        Console.SetError(error);
        try
        {
            // Ctrl-C cancels the command's token as this does.
            code = await CliApp.RunAsync(["run", file, "--db", Db], interrupt.Token);
        }
        finally
        {
            Console.SetOut(_out);
            Console.SetError(_err);
        }

        var worker = await Bamboo("worker", "--until-idle");
        var show = await Bamboo("show", "p_hello");

        Assert.Equal(130, code);
        Assert.Contains("interrupted", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, worker.Code);
        Assert.Contains("pipeline p_hello finished", show.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("list", "garbage")]
    [InlineData("worker", "Foo=bar")]
    [InlineData("run", "Host=/tmp;Timeout=abc")]
    public async Task MalformedPostgresConnectionString_RefusedInOneLine(string verb, string connection)
    {
        string[] args = verb == "run" ? ["run", Example("hello.json"), "--postgres", connection] : [verb, "--postgres", connection];

        // Through CliApp.RunAsync, whose handlers turn a store that cannot be opened into one line.
        var (code, _, error) = await CapturedAsync(() => CliApp.RunAsync(args, TestContext.Current.CancellationToken));

        Assert.Equal(2, code);
        var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("store: the PostgreSQL connection string is not valid: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerUntilIdle_WorkOnlyAnotherWorkerCanRun_ExitsAndSaysWhatItNeeds()
    {
        var file = await HelloVariantAsync("elsewhere", tree => tree["activities"]!["hello_greet"]!["component"]!["code"] = "ops_only_elsewhere");
        Assert.Equal(0, (await Bamboo("run", file, "--no-wait")).Code);

        var worker = await Bamboo("worker", "--until-idle").WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);

        Assert.Equal(0, worker.Code);
        Assert.Contains("needs components this worker lacks", worker.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WorkerUntilIdle_TaskHeldByACrashedWorker_WaitsForItsLeaseThenFinishesTheRun()
    {
        Assert.Equal(0, (await Bamboo("run", Example("hello.json"), "--no-wait")).Code);
        // A process that claimed the run's first task and died: registered with a one-second lease, never beating again.
        await using (var store = new SqliteStore(new SqliteStoreOptions { DatabasePath = Db }))
        {
            await store.Workers.RegisterAsync("crashed-1", TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
            // Claimed once due on this store's clock: the run's process may have moved that clock on a little past
            // what a new process reads at first, and the task is due at the time it was queued.
            using var due = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            due.CancelAfter(TimeSpan.FromSeconds(10));
            while (await store.WriteAsync(tx => tx.Tasks.ClaimAsync("crashed-1", WorkFilter.Any), TestContext.Current.CancellationToken) is null)
            {
                await Task.Delay(20, due.Token);
            }
        }

        var worker = await Bamboo("worker", "--until-idle").WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        var show = await Bamboo("show", "p_hello");

        Assert.Equal(0, worker.Code);
        Assert.Contains("waiting for 1 task(s) other workers hold", worker.Out, StringComparison.Ordinal);
        Assert.Contains("pipeline p_hello finished", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hints_PastedAsPrinted_AreTakenByTheCli()
    {
        var failing = await Bamboo("run", Example("failing.json"));
        var retryHint = Pasted(failing.Out, "bamboo retry fl_check --data ");
        var retry = await Bamboo(ThisStore(retryHint));

        var file = await HelloVariantAsync("callback", tree => tree["activities"]!["hello_greet"]!["component"]!["code"] = "callback_node");
        var waiting = await Bamboo("run", file);
        var callbackHint = Pasted(waiting.Out, "bamboo callback hello_greet");
        var callback = await Bamboo(ThisStore(callbackHint));

        Assert.Equal(1, failing.Code);
        Assert.Equal(["retry", "fl_check", "--data", """{"bit":0}""", "--db", Db], retryHint);
        Assert.Equal(["callback", "hello_greet", "--data", "{}", "--db", Db], callbackHint);
        // Taken, and the node ran again with the inputs it had (so it fails again): exit 1, not 2 for a refused call.
        Assert.Equal(1, retry.Code);
        Assert.Contains("retry: accepted", retry.Out, StringComparison.Ordinal);
        Assert.Equal(0, waiting.Code);
        Assert.Equal(0, callback.Code);
        Assert.Contains("pipeline p_hello finished", callback.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Worker_StopsWithWorkStillQueued_SaysSoAndHowToGoOn()
    {
        var queued = await Bamboo("run", Example("hello.json"), "--no-wait");

        var said = await StopAndReportAsync();
        await Bamboo("worker", "--until-idle");
        var afterAll = await StopAndReportAsync();

        Assert.Equal(0, queued.Code);
        Assert.Contains($"work is still queued in the store; another worker takes it, or continue with: bamboo worker --db {Db}", said, StringComparison.Ordinal);
        Assert.Equal("", afterAll);
    }

    /// <summary>What a worker process says on its way out, with nothing of its own in flight, on this store.</summary>
    private async Task<string> StopAndReportAsync()
    {
        var error = new StringWriter();
        Console.SetError(error);
        try
        {
            await using var host = await Cli.Commands.CliHost.OpenAsync(new Cli.Commands.StoreLocation(Db, null), new Engine.Components.ComponentRegistry(),
                new Engine.Runtime.EngineOptions(), cancellationToken: TestContext.Current.CancellationToken);
            await Cli.Commands.WorkerCommand.StopAndReportAsync(host);
            return error.ToString();
        }
        finally
        {
            Console.SetError(_err);
        }
    }

    [Fact]
    public async Task Show_PausedWhileWorkIsUnderWay_SaysItIsPausing()
    {
        // Started with no worker: its first task waits in the queue while the pipeline is paused.
        await Bamboo("run", Example("hello.json"), "--no-wait");
        var pause = await Bamboo("pause", "p_hello", "--no-wait");
        var show = await Bamboo("show", "p_hello");

        Assert.Equal(0, pause.Code);
        Assert.Contains("pipeline p_hello is pausing", show.Out, StringComparison.Ordinal);
        Assert.Contains("bamboo resume p_hello", show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_NextPageHint_KeepsTheFilters_AndABadStateIsRefused()
    {
        await Bamboo("run", Example("hello.json"));
        await Bamboo("run", Example("hello.json"));
        await Bamboo("run", Example("exclusive.json"));

        var first = await Bamboo("list", "--search", "hello", "--limit", "1");
        // The next page as JSON, to read it without parsing the table.
        var next = await Bamboo([.. Pasted(first.Out, "bamboo list").TakeWhile(w => w != "--db"), "--json"]);
        var bogus = await Bamboo("list", "--state", "bogus");
        var failed = await Bamboo("list", "--state", "failed");
        var none = await Bamboo("list", "--search", "no-such-run");

        Assert.Contains("more: bamboo list --search 'hello' --limit 1 --after ", first.Out, StringComparison.Ordinal);
        Assert.Equal((0, "no runs match these filters"), (none.Code, none.Out.Trim()));
        Assert.Equal(0, next.Code);
        var page = JsonNode.Parse(next.Out)!;
        Assert.StartsWith("p_hello", Assert.Single(page["items"]!.AsArray())!["id"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Null(page["next"]);
        Assert.Equal(2, bogus.Code);
        Assert.Contains("one of RUNNING, SUSPENDED, FINISHED, REVOKED", bogus.Err, StringComparison.Ordinal);
        Assert.Equal(2, failed.Code);
        Assert.Contains("a run with a failed node is RUNNING", failed.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadOptionValues_NameTheOption()
    {
        await Bamboo("run", Example("failing.json"));

        var data = await Bamboo("retry", "fl_check", "--data", "{bit");
        var limit = await Bamboo("list", "--limit", "0");
        var notANumber = await Bamboo("list", "--limit", "abc");
        var loops = await Bamboo("worker", "--workers", "100000", "--until-idle");
        var cursor = await Bamboo("list", "--after", "garbage");
        var halfPair = await Bamboo("run", Example("hello.json"), "--fresh-ids", "--var", "x=\"\\ud800\"");

        Assert.Equal(2, data.Code);
        Assert.StartsWith("bad input: --data is not valid JSON: ", data.Err, StringComparison.Ordinal);
        Assert.NotEqual(0, limit.Code);
        Assert.Contains("--limit must be a whole number from 1 to 500", limit.Err, StringComparison.Ordinal);
        Assert.NotEqual(0, notANumber.Code);
        Assert.Contains("Cannot parse argument 'abc' for option '--limit'", notANumber.Err, StringComparison.Ordinal);
        Assert.Equal(2, cursor.Code);
        Assert.Equal("bad input: page cursor 'garbage' is not one this API handed out", cursor.Err.Trim());
        Assert.Equal(2, loops.Code);
        Assert.Contains("--workers must be at most 256", loops.Err, StringComparison.Ordinal);
        Assert.Equal(2, halfPair.Code);
        Assert.Contains("bad input: --var: a value holds a lone UTF-16 surrogate", halfPair.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbs_GivenTheWrongKindOfId_SayWhichVerbFits()
    {
        await Bamboo("run", Example("hello.json"));

        var pauseANode = await Bamboo("pause", "hello_greet");
        var retryARun = await Bamboo("retry", "p_hello");
        var retryNothing = await Bamboo("retry", "no_such_node");

        Assert.Equal(2, pauseANode.Code);
        Assert.Contains("note: hello_greet is a node (ServiceActivity) of run p_hello, not a pipeline; pause-node and resume-node act on a node", pauseANode.Err, StringComparison.Ordinal);
        Assert.Equal(2, retryARun.Code);
        Assert.Contains("note: p_hello is a run, not one of its nodes; pause, resume and revoke act on a run", retryARun.Err, StringComparison.Ordinal);
        Assert.Equal(2, retryNothing.Code);
        Assert.DoesNotContain("note:", retryNothing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_ListAndShow_HaveTheHttpApisSnakeCaseShape()
    {
        await Bamboo("run", Example("failing.json"));

        var list = JsonNode.Parse((await Bamboo("list", "--json")).Out)!;
        var run = JsonNode.Parse((await Bamboo("show", "p_failing", "--json")).Out)!;
        var node = JsonNode.Parse((await Bamboo("show", "fl_check", "--json")).Out)!;

        var item = list["items"]![0]!;
        Assert.Equal("p_failing", (string?)item["id"]);
        Assert.NotNull(item["created_at"]);
        Assert.True(list.AsObject().ContainsKey("next"));
        Assert.NotNull(run["nodes"]);
        Assert.Equal("failed", (string?)run["outcome"]!["end"]);
        Assert.Equal("fl_check", (string?)run["outcome"]!["nodes"]![0]!["id"]);
        Assert.Equal(["end", "nodes", "requirements"], run["outcome"]!.AsObject().Select(p => p.Key));
        Assert.Equal("p_failing", (string?)node["root_id"]);
        Assert.Equal("FAILED", (string?)node["node"]!["state"]);
        Assert.Contains("retry_node", node["actions"]!.AsArray().Select(a => (string?)a));
        Assert.NotNull(node["raw_inputs"]);
    }

    [Fact]
    public async Task List_OffATerminal_NoRowWrapsHoweverLong()
    {
        var name = "nightly release of the payments service to every region " + new string('x', 60) + " 发布";
        await Bamboo("run", Example("hello.json"), "--name", name);

        var list = await Bamboo("list");

        var row = Assert.Single(list.Out.Split('\n'), l => l.Contains("p_hello", StringComparison.Ordinal));
        Assert.Contains(name, row, StringComparison.Ordinal);
        Assert.Contains("FINISHED", row, StringComparison.Ordinal);
        Assert.DoesNotContain('\u001b', list.Out);
    }

    [Fact]
    public async Task List_TimeRange_FiltersByStartAndTheNextPageKeepsTheSameWindow()
    {
        await Bamboo("run", Example("hello.json"));
        await Bamboo("run", Example("hello.json"));

        var lastHour = await Bamboo("list", "--from", "1h", "--json");
        var olderThanAnHour = await Bamboo("list", "--before", "1h", "--json");
        var future = await Bamboo("list", "--from", "2999-01-01", "--json");
        var window = await Bamboo("list", "--from", "2000-01-01T00:00+08:00", "--before", "1d", "--json");
        var paged = await Bamboo("list", "--from", "1h", "--limit", "1");
        var bad = await Bamboo("list", "--before", "yesterday");

        Assert.Equal(2, JsonNode.Parse(lastHour.Out)!["items"]!.AsArray().Count);
        Assert.Empty(JsonNode.Parse(olderThanAnHour.Out)!["items"]!.AsArray());
        Assert.Empty(JsonNode.Parse(future.Out)!["items"]!.AsArray());
        Assert.Empty(JsonNode.Parse(window.Out)!["items"]!.AsArray());
        Assert.Matches(@"more: bamboo list --from \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z --limit 1 --after ", paged.Out);
        var next = await Bamboo([.. Pasted(paged.Out, "bamboo list").TakeWhile(w => w != "--db"), "--json"]);
        Assert.Single(JsonNode.Parse(next.Out)!["items"]!.AsArray());
        Assert.Equal(2, bad.Code);
        Assert.Contains("--before 'yesterday' is not a time", bad.Err, StringComparison.Ordinal);
    }

    /// <summary>examples/hello.json changed by <paramref name="change"/>, written as NAME.json in this test's folder.</summary>
    private async Task<string> HelloVariantAsync(string name, Action<JsonObject> change)
    {
        var tree = JsonNode.Parse(await File.ReadAllTextAsync(Example("hello.json")))!.AsObject();
        change(tree);
        var file = Path.Combine(_dir, name + ".json");
        await File.WriteAllTextAsync(file, tree.ToJsonString());
        return file;
    }

    /// <summary>A pasted hint without the <c>--db</c> it ends with, which <see cref="Bamboo"/> adds to every command.</summary>
    private string[] ThisStore(string[] hint)
    {
        Assert.Equal(["--db", Db], hint[^2..]);
        return hint[..^2];
    }

    /// <summary>
    /// The command of the hint line that contains <paramref name="start"/>, without "bamboo", split as a shell splits
    /// it (single quotes); a comment after three spaces, or the parenthesis the command closes, is not part of it.
    /// </summary>
    private static string[] Pasted(string output, string start)
    {
        var line = output.Split('\n').Select(l => l.TrimEnd()).FirstOrDefault(l => l.Contains(start, StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"no hint with '{start}' in:\n{output}");
        var command = line[(line.IndexOf(start, StringComparison.Ordinal) + "bamboo ".Length)..];
        command = command.Split("   (")[0];
        command = command.EndsWith(')') ? command[..^1] : command;
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in command + " ")
        {
            if (c == '\'')
            {
                quoted = !quoted;
            }
            else if (c == ' ' && !quoted)
            {
                if (word.Length > 0)
                {
                    words.Add(word.ToString());
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }

        return [.. words];
    }

    [Fact]
    public async Task Run_StartNode_SkipsWhatComesBefore_AlsoUnderFreshIds()
    {
        var first = await Bamboo("run", Example("hello.json"), "--start", "hello_shout");
        var again = await Bamboo("run", Example("hello.json"), "--start", "hello_shout");
        var suffix = System.Text.RegularExpressions.Regex.Match(again.Out, @"suffix (_[0-9a-f]{6})").Groups[1].Value;
        var states = JsonNode.Parse((await Bamboo("states", "p_hello" + suffix, "--json")).Out)!["p_hello" + suffix]!["children"]!.AsObject();

        Assert.Equal(0, first.Code);
        Assert.Equal(0, again.Code);
        Assert.NotEqual("", suffix);
        Assert.Equal("FINISHED", states["hello_shout" + suffix]!["state"]!.GetValue<string>());
        Assert.False(states.ContainsKey("hello_greet" + suffix));
    }

    [Fact]
    public async Task Worker_UntilIdle_WaitsForServicesInFlight_TheParallelRunFinishes()
    {
        // While the branches' delay services run, their tasks are leased and the queue looks empty; the join they
        // lead to is queued only when they finish.
        var run = await Bamboo("run", Example("parallel.json"), "--no-wait");
        var worker = await Bamboo("worker", "--until-idle");
        var states = await Bamboo("states", "p_parallel", "--json");

        Assert.Equal(0, run.Code);
        Assert.Equal(0, worker.Code);
        Assert.Equal("FINISHED", JsonNode.Parse(states.Out)!["p_parallel"]!["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task Validate_UnknownComponent_ExitsTwoNamingNodeAndComponent()
    {
        var file = await HelloVariantAsync("unknown", tree => tree["activities"]!["hello_greet"]!["component"]!["code"] = "no_such_component");

        var code = Cli.Commands.ValidateCommand.Run(file, false, TextWriter.Null, Console.Error);
        var run = await Bamboo("run", file);

        Assert.Equal(2, code);
        Assert.Equal(2, run.Code);
        Assert.Contains("hello_greet", run.Err, StringComparison.Ordinal);
        Assert.Contains("no_such_component", run.Err, StringComparison.Ordinal);
    }

    /// <summary>A console that acts once a line it is given matches.</summary>
    private sealed class LineWatcher(Func<string, bool> match, Action act) : StringWriter
    {
        public override void WriteLine(string? value)
        {
            base.WriteLine(value);
            if (value is not null && match(value))
            {
                act();
            }
        }
    }
}
