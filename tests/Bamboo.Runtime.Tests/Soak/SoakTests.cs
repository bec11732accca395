using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Bamboo.Engine.Building;
using Bamboo.Engine.Client;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Runtime.Tests.Probes;

namespace Bamboo.Runtime.Tests.Soak;

/// <summary>
/// Pipelines of random shapes with random operator actions at random times (pause, resume, retry, skip, callback,
/// revoke), run by worker processes one of which is killed now and then; at the end the store's invariants hold.
/// CI runs the short version; BAMBOO_SOAK_PIPELINES and BAMBOO_SOAK_KILLS make it as long as wanted.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Category", "Soak")]
public sealed class SoakTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-soak-").FullName;
    private readonly Random _random = new(20261202);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "store.db");

    private string Log => Path.Combine(_dir, "executions");

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    private ServiceActivity Probe() => Trees.Probe(("log", Log), ("block_ms", _random.Next(0, 30)));

    private static string Example(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "examples", name)))
            {
                return Path.Combine(dir.FullName, "examples", name);
            }
        }

        throw new FileNotFoundException(name);
    }

    /// <summary>A pipeline of a random shape; for the "hello" shape, the greeting it must export.</summary>
    private (Pipeline Pipeline, string? Greeting) Shape(Pipeline hello)
    {
        switch (_random.Next(6))
        {
            case 0:
                {
                    var name = "n" + _random.Next(1000).ToString(CultureInfo.InvariantCulture);
                    var tree = FreshIds.Copy(hello).ToJson();
                    tree["data"]!["inputs"]!["${name}"] = new JsonObject { ["type"] = "plain", ["value"] = name };
                    return (Pipeline.Parse(tree.ToJsonString()), $"hello {name}");
                }

            case 1:
                return (Trees.Sequence(Probe(), Probe(), Probe(), Probe()), null);
            case 2:
                return (Trees.Parallel([[Probe(), Probe()], [Probe(), Probe()], [Probe()]]), null);
            case 3:
                return (Trees.Sequence(Probe(), new ServiceActivity("fail_ctrl_node"), Probe()), null);
            case 4:
                return (Trees.Sequence(Probe(), new ServiceActivity("callback_node"), Probe()), null);
            default:
                {
                    var inner = new EmptyStartEvent();
                    inner.Extend(Probe()).Extend(Probe()).Extend(new EmptyEndEvent());
                    return (Trees.Sequence(Probe(), new SubProcess(inner), Probe()), null);
                }
        }
    }

    private CliProcess StartWorker() => CliProcess.Start("worker", "--db", Db, "--lease-seconds", "1", "--workers", "2");

    [Fact]
    public async Task Soak_RandomShapesActionsAndKills_InvariantsHold()
    {
        var count = Setting("BAMBOO_SOAK_PIPELINES", 60);
        var kills = Setting("BAMBOO_SOAK_KILLS", 2);
        await using var h = new EngineHarness(new ComponentRegistry().AddComponent<ProbeService>("probe"), databasePath: Db, startWorkers: false);
        var client = new BambooClient(h.Engine);
        var hello = Pipeline.Parse(await File.ReadAllTextAsync(Example("hello.json")));
        var runs = Enumerable.Range(0, count).Select(_ => Shape(hello)).ToList();
        var workers = new List<CliProcess> { StartWorker(), StartWorker() };
        var killed = new HashSet<string>();
        var revoked = new HashSet<string>();
        try
        {
            foreach (var (pipeline, _) in runs)
            {
                Assert.True((await client.RunPipelineAsync(pipeline)).Result);
            }

            var watch = Stopwatch.StartNew();
            var killEvery = TimeSpan.FromSeconds(3);
            var done = new HashSet<string>();
            while (done.Count < runs.Count)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromMinutes(5), $"{done.Count} of {runs.Count} pipelines ended");
                if (kills > 0 && watch.Elapsed > killEvery * (killed.Count + 1))
                {
                    var victim = workers[_random.Next(workers.Count)];
                    killed.Add(victim.Process.Id.ToString(CultureInfo.InvariantCulture));
                    victim.Process.Kill();
                    await victim.Process.WaitForExitAsync();
                    workers.Remove(victim);
                    victim.Dispose();
                    workers.Add(StartWorker());
                    kills--;
                }

                foreach (var (pipeline, _) in runs.Where(r => !done.Contains(r.Pipeline.Id)).OrderBy(_ => _random.Next()).Take(8))
                {
                    var outcome = await client.GetOutcomeAsync(pipeline.Id);
                    switch (outcome!.End)
                    {
                        case PipelineEnd.Finished or PipelineEnd.Revoked:
                            done.Add(pipeline.Id);
                            break;
                        case PipelineEnd.Failed:
                            foreach (var node in outcome.Nodes)
                            {
                                _ = _random.Next(2) == 0 ? await client.RetryNodeAsync(node.Id, new JsonObject { ["bit"] = 1 }) : await client.SkipNodeAsync(node.Id);
                            }

                            break;
                        case PipelineEnd.WaitingForCallback:
                            foreach (var node in outcome.Nodes)
                            {
                                await client.CallbackAsync(node.Id, new JsonObject { ["bit"] = 1 });
                            }

                            break;
                        case PipelineEnd.Suspended:
                            await client.ResumePipelineAsync(pipeline.Id);
                            foreach (var node in outcome.Nodes)
                            {
                                await client.ResumeNodeAppointAsync(node.Id);
                            }

                            break;
                        default:
                            // Running: now and then an operator pauses it, rarely revokes it. Refusals are fine.
                            var roll = _random.Next(100);
                            if (roll < 4)
                            {
                                await client.PausePipelineAsync(pipeline.Id);
                            }
                            else if (roll < 5 && (await client.RevokePipelineAsync(pipeline.Id)).Result)
                            {
                                revoked.Add(pipeline.Id);
                            }

                            break;
                    }
                }

                await Task.Delay(50);
            }
        }
        finally
        {
            foreach (var w in workers)
            {
                w.Dispose();
            }
        }

        await AssertInvariantsAsync(h, client, runs, revoked, killed);
    }

    private async Task AssertInvariantsAsync(EngineHarness h, BambooClient client, List<(Pipeline Pipeline, string? Greeting)> runs, HashSet<string> revoked,
        HashSet<string> killed)
    {
        // Nothing left to do: no task anywhere, and no live process in a finished run.
        Assert.Equal(0, h.TasksLeft());
        foreach (var (pipeline, greeting) in runs)
        {
            var view = await client.GetPipelineAsync(pipeline.Id);
            Assert.NotNull(view);
            Assert.Contains(view.State, new[] { NodeState.Finished, NodeState.Revoked });
            Assert.Equal(revoked.Contains(pipeline.Id), view.State == NodeState.Revoked);
            if (view.State != NodeState.Finished)
            {
                continue;
            }

            Assert.Equal(0, TempDatabase.Count(Db, $"SELECT COUNT(*) FROM processes WHERE root_id = '{pipeline.Id}' AND dead = 0"));
            if (greeting is not null)
            {
                Assert.Equal(greeting, (await client.GetPipelineOutputsAsync(pipeline.Id))!["${greeting}"]!.GetValue<string>());
            }

            foreach (var node in view.Nodes.Where(n => n.State is not null))
            {
                // Every node in one state; its versions, current and replaced, all different; a replaced attempt per
                // history row.
                var detail = (await client.GetNodeAsync(node.Id))!;
                Assert.Contains(node.State, new[] { NodeState.Finished, NodeState.Failed, NodeState.Running, NodeState.Ready, NodeState.Suspended });
                var versions = detail.Histories.Select(x => x.Version).Append(node.Version).ToList();
                Assert.Equal(versions.Count, versions.Distinct().Count());
                Assert.Equal(NodeState.Finished, node.State);
            }
        }

        // A probe ran once, or twice when a killed worker was running it (the README's guarantee). Retries and skips
        // act on fail_ctrl_node only, never on a probe.
        var executions = Directory.EnumerateFiles(Log).Select(f => Path.GetFileName(f).Split('~')).GroupBy(p => p[0]).ToList();
        Assert.All(executions, g =>
        {
            var byPid = g.Select(p => p[1]).ToList();
            Assert.True(byPid.Count == 1 || (byPid.Count == 2 && byPid.Any(killed.Contains)), $"probe {g.Key} ran {byPid.Count} times, by {string.Join(", ", byPid)}");
        });
    }
}
