using System.Diagnostics;
using System.Globalization;
using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Runtime.Postgres;
using Bamboo.Runtime.Tests.Probes;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>
/// Three worker processes on one PostgreSQL database run 200 pipelines of mixed shapes while one is killed with SIGKILL
/// and another frozen with SIGSTOP past its lease, then resumed. Every pipeline finishes, every node once; a node runs
/// twice only when the kill or the freeze cut off its service call.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Category", "Postgres")]
public sealed class PostgresFaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-pg-faults-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Log => Path.Combine(_dir, "executions");

    private ServiceActivity Probe() => Trees.Probe(("log", Log), ("block_ms", 50));

    private static ServiceActivity Poll()
    {
        // Not logged: a poll node's schedule runs several times by design.
        var poll = new ServiceActivity("poll_probe");
        poll.Inputs["polls"] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, 3);
        return poll;
    }

    // The five shapes, 40 of each: sequential, parallel, subprocess, callback, polling.
    private Pipeline Shape(int i)
    {
        switch (i % 5)
        {
            case 0:
                return Trees.Sequence(Probe(), Probe(), Probe(), Probe());
            case 1:
                return Trees.Parallel([[Probe(), Probe()], [Probe(), Probe()], [Probe()]]);
            case 2:
                {
                    var inner = new EmptyStartEvent();
                    inner.Extend(Probe()).Extend(Probe()).Extend(new EmptyEndEvent());
                    return Trees.Sequence(Probe(), new SubProcess(inner), Probe());
                }

            case 3:
                return Trees.Sequence(Probe(), new ServiceActivity("callback_node"), Probe());
            default:
                return Trees.Sequence(Probe(), Poll(), Probe());
        }
    }

    private static ComponentRegistry Components() =>
        new ComponentRegistry().AddTestkit().AddComponent<ProbeService>("probe").AddComponent<PollProbeService>("poll_probe");

    private static void Signal(Process process, string signal)
    {
        using var kill = Process.Start("kill", [signal, process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    /// <summary>Where unfinished pipelines stand: their nodes' states, their tasks, and the workers the store knows.</summary>
    private static async Task<string> DescribeAsync(PostgresScratch scratch, IEnumerable<Pipeline> pipelines)
    {
        var text = new System.Text.StringBuilder();
        foreach (var p in pipelines)
        {
            text.Append(CultureInfo.InvariantCulture, $"\npipeline {p.Id}:\n");
            text.Append(await scratch.TextAsync($"SELECT node_id, name, version FROM states WHERE root_id = '{p.Id}' ORDER BY created_time"));
            text.Append("\ntasks:\n").Append(await scratch.TextAsync($"SELECT {Bamboo.Runtime.Relational.Stores.TaskStore.Columns} FROM tasks WHERE root_id = '{p.Id}'"));
        }

        return text.Append("\nworkers:\n").Append(await scratch.TextAsync("SELECT owner, beat FROM workers")).ToString();
    }

    [Fact]
    public async Task ThreeWorkers_OneKilledOneFrozen_EveryPipelineFinishesEveryNodeOnce()
    {
        await using var scratch = await PostgresScratch.CreateAsync();
        Assert.SkipWhen(scratch is null, $"{PostgresScratch.Variable} is not set");
        await using var store = await PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = scratch.Connection });
        var engine = new BambooEngine(store, Components());
        string[] worker = ["worker", "--postgres", scratch.Connection, "--lease-seconds", "2", "--workers", "2"];
        using var killed = CliProcess.Start(worker);
        using var frozen = CliProcess.Start(worker);
        using var steady = CliProcess.Start(worker);

        var pipelines = Enumerable.Range(0, 200).Select(Shape).ToList();
        foreach (var p in pipelines)
        {
            Assert.True((await EngineApi.RunPipelineAsync(engine, p)).Result);
        }

        var probes = new ProbeLog(Log);
        var total = pipelines.Count;
        var started = Stopwatch.StartNew();
        await WaitUntil.TrueAsync(() => Task.FromResult(probes.Executions().Count > 150), TimeSpan.FromSeconds(120), "the workers to get going");
        Signal(killed.Process, "-KILL");
        await WaitUntil.TrueAsync(() => Task.FromResult(probes.Executions().Count > 300), TimeSpan.FromSeconds(120), "the two others to go on");
        Signal(frozen.Process, "-STOP");
        var frozenAt = Stopwatch.StartNew();

        // Callbacks, as an outside system would send them, while the frozen worker's lease runs out.
        var finished = new HashSet<string>();
        while (finished.Count < total || frozenAt.IsRunning)
        {
            if (frozenAt.Elapsed > TimeSpan.FromSeconds(6) && frozenAt.IsRunning)
            {
                Signal(frozen.Process, "-CONT");
                frozenAt.Stop();
            }

            if (started.Elapsed > TimeSpan.FromMinutes(4))
            {
                Assert.Fail($"{finished.Count} of {total} pipelines finished; {await DescribeAsync(scratch, pipelines.Where(p => !finished.Contains(p.Id)).Take(3))}");
            }

            foreach (var p in pipelines.Where(p => !finished.Contains(p.Id)))
            {
                var states = await store.ReadAsync(tx => tx.States.GetManyAsync([p.Id, .. p.Activities.Keys]));
                if (states.FirstOrDefault(s => s.NodeId == p.Id)?.Name == NodeState.Finished)
                {
                    finished.Add(p.Id);
                    continue;
                }

                foreach (var waiting in states.Where(s => s.Name == NodeState.Running && p.Activities.TryGetValue(s.NodeId, out var node) && node is ServiceActivityNode { ComponentCode: "callback_node" }))
                {
                    if (await store.ReadAsync(tx => tx.Schedules.GetAsync(waiting.NodeId, waiting.Version)) is { Finished: false })
                    {
                        await EngineApi.CallbackAsync(engine, waiting.NodeId, waiting.Version, []);
                    }
                }
            }

            await Task.Delay(100);
        }

        await WaitUntil.TrueAsync(() => Task.FromResult(frozen.Output.Contains("declared dead", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "the resumed worker to find it was declared dead");
        Signal(frozen.Process, "-TERM");
        Signal(steady.Process, "-TERM");
        Assert.Equal(0, await steady.ExitCodeAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, await frozen.ExitCodeAsync(TimeSpan.FromSeconds(30)));

        // Every node of every pipeline FINISHED once: loop 1, no retry, no history, nothing left in the queue.
        var nodes = pipelines.SelectMany(Trees.NodeIds).ToList();
        var final = await store.ReadAsync(tx => tx.States.GetManyAsync(nodes));
        Assert.Equal(nodes.Count, final.Count);
        Assert.All(final, s => Assert.Equal((NodeState.Finished, 1, 0), (s.Name, s.Loop, s.Retry)));
        Assert.Equal(0, await scratch.CountAsync("SELECT COUNT(*) FROM histories"));
        Assert.Equal(0, await scratch.CountAsync("SELECT COUNT(*) FROM tasks"));

        // A probe ran twice only if the killed or the frozen worker was running it when it stopped.
        var byNode = Directory.EnumerateFiles(Log).Select(f => Path.GetFileName(f).Split('~')).GroupBy(parts => parts[0]).ToList();
        var cutOff = new[] { killed.Process.Id, frozen.Process.Id }.Select(pid => pid.ToString(CultureInfo.InvariantCulture)).ToHashSet();
        Assert.All(byNode.Where(g => g.Count() > 1), g =>
        {
            var runs = g.ToList();
            Assert.True(runs.Count == 2 && runs.Any(r => cutOff.Contains(r[1])), $"node {g.Key} ran {runs.Count} times, by {string.Join(", ", runs.Select(r => r[1]))}");
        });
    }
}
