using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Tests.Probes;

namespace Bamboo.Runtime.Tests.Isolation;

/// <summary>
/// User code runs outside the store's transactions: a service that blocks its thread or keeps a core busy delays only
/// its own node, in this process and in others on the same store.
/// </summary>
[Trait("Category", "Slow")]
public sealed class UserCodeIsolationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-isolation-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name) => Path.Combine(_dir, name);

    private static ComponentRegistry Probes() => new ComponentRegistry().AddComponent<ProbeService>("probe");

    // start → pg → [probe(gate)] [probe(spin_gate)] 20 × [10 × empty_node] → cg → end
    [Fact]
    public async Task Run_BlockingAndSpinningBranches_OtherBranchesFinishWhileTheyHold()
    {
        await using var h = new EngineHarness(Probes());
        var blocking = Trees.Probe(("gate", File("open")));
        var spinning = Trees.Probe(("spin_gate", File("open")));
        var quick = Enumerable.Range(0, 20).Select(_ => (IReadOnlyList<Element>)[.. Enumerable.Range(0, 10).Select(_ => new ServiceActivity("empty_node"))]).ToList();
        var pipeline = Trees.Parallel([[blocking], [spinning], .. quick]);
        await h.StartAsync(pipeline);

        var lasts = quick.Select(b => b[^1].Id).ToList();
        await WaitUntil.TrueAsync(
            async () => (await h.Store.ReadAsync(async tx => (await tx.States.GetManyAsync(lasts)).Count(s => s.Name == NodeState.Finished))) == lasts.Count,
            TimeSpan.FromSeconds(30), "the 20 quick branches to finish");
        Assert.Equal(NodeState.Running, (await h.StateAsync(blocking.Id))?.Name);
        Assert.Equal(NodeState.Running, (await h.StateAsync(spinning.Id))?.Name);

        await System.IO.File.WriteAllTextAsync(File("open"), "");
        await h.WaitStateAsync(pipeline.Id, NodeState.Finished, 30);
    }

    [Fact]
    public async Task Run_BlockedServiceInOneProcess_AnotherProcessRunsItsPipelineMeanwhile()
    {
        await using var h = new EngineHarness(Probes());
        var blocked = Trees.Probe(("gate", File("open")));
        var first = Trees.Sequence(blocked);
        await h.StartAsync(first);
        await h.WaitStateAsync(blocked.Id, NodeState.Running);
        var second = Trees.Sequential(10);

        using var cli = CliProcess.Start("run", Trees.WriteTo(second, _dir), "--db", h.DatabasePath);
        var exit = await cli.ExitCodeAsync(TimeSpan.FromSeconds(60));

        Assert.True(exit == 0, cli.Output);
        Assert.DoesNotContain("locked", cli.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(NodeState.Finished, (await h.StateAsync(second.Id))?.Name);
        Assert.Equal(NodeState.Running, (await h.StateAsync(blocked.Id))?.Name);
        await System.IO.File.WriteAllTextAsync(File("open"), "");
        await h.WaitStateAsync(first.Id, NodeState.Finished, 30);
    }

    [Fact]
    public async Task Run_ServiceBlocksThreeLeases_NoOtherProcessRunsItAgain()
    {
        var options = new EngineOptions { WorkerCount = 2, TaskLease = TimeSpan.FromSeconds(1) };
        await using var h = new EngineHarness(Probes(), options: options);
        var log = new ProbeLog(File("executions"));
        var slow = Trees.Probe(("log", log.Folder), ("block_ms", 3500));
        var pipeline = Trees.Sequence(slow, new ServiceActivity("empty_node"));
        using var other = CliProcess.Start("worker", "--db", h.DatabasePath, "--lease-seconds", "1", "--workers", "2");

        await h.StartAsync(pipeline);
        await h.WaitStateAsync(pipeline.Id, NodeState.Finished, 60);

        Assert.Equal(1, log.Count(slow.Id));
        Assert.Equal(1, (await h.StateAsync(slow.Id))?.Loop);
        Assert.Empty(await h.HistoriesAsync(slow.Id));
    }
}
