using System.Text.Json.Nodes;
using Bamboo.Cli.Commands;
using Bamboo.Engine.Components;

namespace Bamboo.Cli.Tests.Commands;

/// <summary>A plugin component, loaded by the CLI from this test assembly through --components.</summary>
[Component("shout")]
public sealed class ShoutService : Service
{
    public override ValueTask<bool> ExecuteAsync(ExecutionData data, ExecutionData parentData, CancellationToken cancellationToken = default)
    {
        data.Outputs["loud"] = data.GetOneOfInputs("text")?.GetValue<string>().ToUpperInvariant();
        return ValueTask.FromResult(data.GetOneOfInputs("fail") is null);
    }
}

// The CLI writes progress to the console; these tests only look at exit codes and the store.
[Collection("console")]
public sealed class RunCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-run-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "store.db");

    private string Tree(string id, JsonObject inputs)
    {
        var tree = new JsonObject
        {
            ["id"] = id,
            ["start_event"] = new JsonObject { ["id"] = id + "_s", ["type"] = "EmptyStartEvent", ["incoming"] = "", ["outgoing"] = id + "_f1" },
            ["end_event"] = new JsonObject { ["id"] = id + "_e", ["type"] = "EmptyEndEvent", ["incoming"] = new JsonArray(id + "_f2"), ["outgoing"] = "" },
            ["activities"] = new JsonObject
            {
                [id + "_a"] = new JsonObject
                {
                    ["id"] = id + "_a", ["type"] = "ServiceActivity", ["incoming"] = new JsonArray(id + "_f1"), ["outgoing"] = id + "_f2",
                    ["component"] = new JsonObject { ["code"] = "shout", ["inputs"] = inputs },
                },
            },
            ["flows"] = new JsonObject
            {
                [id + "_f1"] = new JsonObject { ["id"] = id + "_f1", ["source"] = id + "_s", ["target"] = id + "_a" },
                [id + "_f2"] = new JsonObject { ["id"] = id + "_f2", ["source"] = id + "_a", ["target"] = id + "_e" },
            },
        };
        var path = Path.Combine(_dir, id + ".json");
        File.WriteAllText(path, tree.ToJsonString());
        return path;
    }

    private static string Plugin => typeof(ShoutService).Assembly.Location;

    [Fact]
    public async Task Run_WithPluginComponent_FinishesAndExitsZero()
    {
        var tree = Tree("p_ok", new JsonObject { ["text"] = new JsonObject { ["type"] = "plain", ["value"] = "hi" } });

        var code = await RunCommand.RunAsync(tree, null, new StoreLocation(Db, null), false, [Plugin], TestContext.Current.CancellationToken);

        Assert.Equal(0, code);
    }

    [Fact]
    public async Task Run_FailingNode_ExitsOne()
    {
        var tree = Tree("p_fail", new JsonObject { ["fail"] = new JsonObject { ["type"] = "plain", ["value"] = true } });

        var code = await RunCommand.RunAsync(tree, null, new StoreLocation(Db, null), false, [Plugin], TestContext.Current.CancellationToken);

        Assert.Equal(1, code);
    }

    [Fact]
    public async Task Run_FailingPluginNode_HintsCarryTheComponents()
    {
        var tree = Tree("p_hint", new JsonObject { ["fail"] = new JsonObject { ["type"] = "plain", ["value"] = true } });
        var output = new StringWriter();
        var console = Console.Out;
        Console.SetOut(output);
        try
        {
            Assert.Equal(1, await RunCommand.RunAsync(tree, null, new StoreLocation(Db, null), false, [Plugin], TestContext.Current.CancellationToken));
        }
        finally
        {
            Console.SetOut(console);
        }

        // Without them, the retried node would wait for a worker that has its component.
        Assert.Contains($"bamboo retry p_hint_a --db {Follow.ShellWord(Db)} --components {Follow.ShellWord(Plugin)}", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownPluginFile_ExitsTwo()
    {
        var tree = Tree("p_bad", []);

        var code = await RunCommand.RunAsync(tree, null, new StoreLocation(Db, null), false, [Path.Combine(_dir, "missing.dll")], TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
    }

    [Fact]
    public async Task Run_ComponentThisProcessLacks_RefusedWhenItWouldRunItButStartedWithNoWait()
    {
        var tree = Tree("p_elsewhere", new JsonObject { ["text"] = new JsonObject { ["type"] = "plain", ["value"] = "hi" } });
        var output = new StringWriter();
        var (stdout, stderr) = (Console.Out, Console.Error);
        int waiting, queued;
        Console.SetOut(output);
        Console.SetError(output);
        try
        {
            waiting = await RunCommand.RunAsync(new RunCommand.RunRequest(tree), new StoreLocation(Db, null), [], TestContext.Current.CancellationToken);
            queued = await RunCommand.RunAsync(new RunCommand.RunRequest(tree, NoWait: true), new StoreLocation(Db, null), [], TestContext.Current.CancellationToken);
        }
        finally
        {
            Console.SetOut(stdout);
            Console.SetError(stderr);
        }

        Assert.Equal(2, waiting);
        Assert.Contains("component shout (version legacy) is not registered in this process", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, queued);
        Assert.Contains("started p_elsewhere", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("note: node p_elsewhere_a: component shout", output.ToString(), StringComparison.Ordinal);

        // A worker that has the component runs the queued run.
        Assert.Equal(0, await WorkerCommand.RunAsync(new StoreLocation(Db, null), 1, 4, 30, untilIdle: true, [Plugin], TestContext.Current.CancellationToken));
        await using var host = await CliHost.OpenAsync(new StoreLocation(Db, null), readOnly: true);
        Assert.Equal(Engine.Client.PipelineEnd.Finished, (await host.Client.GetOutcomeAsync("p_elsewhere", TestContext.Current.CancellationToken))?.End);
    }

    [Fact]
    public async Task Run_BadData_ExitsTwo()
    {
        var tree = Tree("p_data", []);

        var code = await RunCommand.RunAsync(tree, "[1, 2]", new StoreLocation(Db, null), false, [Plugin], TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
    }
}
