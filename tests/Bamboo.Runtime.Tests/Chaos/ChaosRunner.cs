using System.Text;
using System.Text.Json.Nodes;
using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Runtime.Tests.Chaos;

/// <summary>What a run left: the store's contents as text, the calls per engine, and the faulted engine's transactions.</summary>
internal sealed record ChaosOutcome(string Snapshot, IReadOnlyDictionary<string, int> First, IReadOnlyDictionary<string, int> Second,
    IReadOnlyList<TransactionLog> Log, bool Fired, bool Killed)
{
    public IReadOnlyDictionary<string, int> Total =>
        First.Concat(Second).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Sum(kv => kv.Value));
}

/// <summary>
/// Runs a scenario once on a fresh database with one fault planned (or none). The pipeline is started by an operator
/// engine; the work is done by a worker engine on a <see cref="FaultStore"/> with one claim loop and one task at a
/// time, so that a run is the same sequence of transactions every time and a fault planned from the undisturbed run
/// lands where it was aimed. When the fault kills the worker's "process", the run goes on as after a crash: the dead
/// worker is reaped (as another process does once its beat has stood still for its lease) and a new worker engine on
/// a new store finishes the work.
/// </summary>
internal static class ChaosRunner
{
    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(15);

    public static async Task<ChaosOutcome?> RunAsync(string dialect, ChaosScenario scenario, FaultPlan? plan)
    {
        await using var db = await ChaosDatabase.CreateAsync(dialect);
        if (db is null)
        {
            return null;
        }

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new EngineOptions { WorkerCount = 1, MaxConcurrentTasks = 1, ShutdownGrace = TimeSpan.FromSeconds(5), RerunLimit = scenario.RerunLimit };
        var clientStore = await db.OpenAsync();
        var client = new BambooEngine(clientStore, ChaosComponents.Registry(new CallCounts(), gate.Task), options);
        var started = await EngineApi.RunPipelineAsync(client, scenario.Pipeline, scenario.RunOptions);
        Assert.True(started.Result, started.Message);

        var first = new CallCounts();
        var faulty = new FaultStore(await db.OpenAsync(), plan);
        await using var a = new Worker(faulty, ChaosComponents.Registry(first, gate.Task), options);
        var operating = scenario.Operator?.Invoke(new ChaosOperator(client, gate, scenario)) ?? Task.CompletedTask;

        var second = new CallCounts();
        Worker? b = null;
        try
        {
            await WaitUntil.TrueAsync(async () => faulty.Killed || await EndedAsync(clientStore, scenario), RunTimeout, $"{scenario.Name} to end ({plan})");
            if (faulty.Killed)
            {
                await a.StopAsync();
                await ReapAllAsync(clientStore);
                b = new Worker(new FaultStore(await db.OpenAsync()), ChaosComponents.Registry(second, gate.Task), options);
                await WaitUntil.TrueAsync(() => EndedAsync(clientStore, scenario), RunTimeout, $"{scenario.Name} to end after the kill ({plan})");
            }
        }
        catch (TimeoutException ex)
        {
            var log = string.Join("\n", faulty.Log);
            throw new TimeoutException($"{ex.Message}\nnow:\n{await SnapshotAsync(clientStore, scenario)}\ntransactions:\n{log}", ex);
        }
        finally
        {
            gate.TrySetResult();
            if (b is not null)
            {
                await b.DisposeAsync();
            }
        }

        await operating;
        await a.StopAsync();
        return new ChaosOutcome(await SnapshotAsync(clientStore, scenario), first.Snapshot(), second.Snapshot(), [.. faulty.Log], faulty.Fired.Task.IsCompleted, faulty.Killed);
    }

    /// <summary>The run has ended and no task of it is left, held or not.</summary>
    private static Task<bool> EndedAsync(IEngineStore store, ChaosScenario scenario) => store.ReadAsync(async tx =>
    {
        var states = (await tx.States.GetManyAsync([.. scenario.Nodes.Values])).ToDictionary(s => s.NodeId, s => s.Name);
        return scenario.Ended(alias => states.GetValueOrDefault(scenario.Id(alias)))
            && (await tx.Tasks.GetForRootAsync(scenario.Pipeline.Id)).Count == 0;
    });

    /// <summary>Takes a dead worker's tasks back, as the worker that finds its beat stood still for its lease does.</summary>
    private static async Task ReapAllAsync(IEngineStore store)
    {
        while (await store.Workers.ListAsync() is { Count: > 0 } workers)
        {
            foreach (var w in workers)
            {
                await store.Workers.ReapAsync(w.Owner, w.Beat);
            }
        }
    }

    /// <summary>Everything a run leaves that the undisturbed run is compared on, one line per fact, times left out.</summary>
    public static Task<string> SnapshotAsync(IEngineStore store, ChaosScenario scenario) => store.ReadAsync(async tx =>
    {
        var text = new StringBuilder();
        foreach (var (alias, id) in scenario.Nodes.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var s = await tx.States.GetAsync(id);
            text.AppendLine(s is null ? $"{alias}: no state" : $"{alias}: {s.Name} loop={s.Loop} inner={s.InnerLoop} retry={s.Retry} skip={s.Skip} ignored={s.ErrorIgnored}");
            if (await tx.Data.GetExecutionDataAsync(id) is { } data)
            {
                text.AppendLine($"  inputs {Canonical(data.Inputs)} outputs {Canonical(data.Outputs)}");
            }

            foreach (var h in await tx.Schedules.GetHistoriesAsync(id))
            {
                text.AppendLine($"  history loop={h.Loop} retry={h.Retry} skip={h.Skip} outputs {Canonical(h.Outputs)}");
            }

            if (await tx.Schedules.GetLatestAsync(id) is { } schedule)
            {
                text.AppendLine($"  schedule times={schedule.Times} finished={schedule.Finished} expired={schedule.Expired} scheduling={schedule.Scheduling}");
            }
        }

        foreach (var alias in scenario.Pipelines)
        {
            foreach (var v in (await tx.Data.GetContextValuesAsync(scenario.Id(alias))).OrderBy(v => v.Key, StringComparer.Ordinal))
            {
                text.AppendLine($"context {alias} {v.Key} {v.Type} {v.Value?.ToJsonString()}");
            }
        }

        return text.ToString();
    });

    // An error's stack trace is cut to its first line: which frames it shows depends on what the JIT inlined.
    private static string Canonical(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(",", o.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"\"{kv.Key}\":{(kv.Key == "ex_data" ? FirstLine(kv.Value) : Canonical(kv.Value))}")) + "}",
        JsonArray a => "[" + string.Join(",", a.Select(Canonical)) + "]",
        null => "null",
        _ => node.ToJsonString(),
    };

    private static string FirstLine(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? text) ? text.Split('\n')[0] : Canonical(node);

    /// <summary>A worker engine (one simulated process) on a store.</summary>
    private sealed class Worker : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _running;

        public Worker(IEngineStore store, Engine.Components.ComponentRegistry registry, EngineOptions options)
        {
            var engine = new BambooEngine(store, registry, options, new HurriedTime());
            var worker = new EngineWorker(engine, new PipelineEngine(engine, NullLogger<PipelineEngine>.Instance), NullLogger<EngineWorker>.Instance);
            _running = Task.Run(() => worker.RunAsync(_stop.Token));
        }

        /// <summary>Stops the worker; a killed one has stopped already, with the error its store threw.</summary>
        public async Task StopAsync()
        {
            await _stop.CancelAsync();
            try
            {
                await _running.WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception ex) when (ex is ProcessKilledException || ex.InnerException is ProcessKilledException)
            {
                // Dead already: every store call threw.
            }
            catch (OperationCanceledException)
            {
                // Stopped before it had registered.
            }
        }

        public async ValueTask DisposeAsync()
        {
            await StopAsync();
            _stop.Dispose();
        }
    }
}
