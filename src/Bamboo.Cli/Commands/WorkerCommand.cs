using System.CommandLine;
using Bamboo.Engine.Runtime;

namespace Bamboo.Cli.Commands;

/// <summary><c>bamboo worker</c>: runs workers against a store until stopped (or, with --until-idle, until no work is left).</summary>
internal static class WorkerCommand
{
    private const int MaxClaimLoops = 256;

    public static Command Create()
    {
        var store = new StoreArguments();
        var workers = new Option<int>("--workers") { Description = "concurrent workers", DefaultValueFactory = _ => new EngineOptions().WorkerCount };
        var lease = new Option<double>("--lease-seconds") { Description = "how long a claimed task stays owned if this process dies", DefaultValueFactory = _ => new EngineOptions().TaskLease.TotalSeconds };
        var concurrency = new Option<int>("--concurrency") { Description = "tasks in progress at once (services running side by side)", DefaultValueFactory = _ => new EngineOptions().MaxConcurrentTasks };
        var untilIdle = new Option<bool>("--until-idle") { Description = "exit once no work is left: none queued, none held by other workers (a dead one's come back when its lease lapses)" };
        var components = CliHost.ComponentsOption();
        var command = new Command("worker", "Run pipeline workers on a store (picks up work a crashed process left)") { workers, concurrency, lease, untilIdle, components };
        store.AddTo(command);
        command.SetAction((parse, ct) => RunAsync(store.Get(parse), parse.GetValue(workers), parse.GetValue(concurrency), parse.GetValue(lease), parse.GetValue(untilIdle), parse.GetValue(components) ?? [], ct));
        return command;
    }

    public static async Task<int> RunAsync(StoreLocation location, int workers, int concurrency, double leaseSeconds, bool untilIdle, string[] components, CancellationToken ct)
    {
        if (workers < 1 || concurrency < 1 || leaseSeconds <= 0)
        {
            await Console.Error.WriteLineAsync("--workers and --concurrency must be at least 1 and --lease-seconds positive");
            return ExitCodes.Refused;
        }

        if (workers > MaxClaimLoops)
        {
            // Each loop polls the store on its own; thousands of them only contend (--workers 100000 never got going).
            await Console.Error.WriteLineAsync($"--workers must be at most {MaxClaimLoops} (claim loops); --concurrency sets how many tasks run at once");
            return ExitCodes.Refused;
        }

        Engine.Components.ComponentRegistry registry;
        try
        {
            registry = CliHost.Registry(components);
        }
        catch (Engine.Exceptions.BambooException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return ExitCodes.Refused;
        }

        var options = new EngineOptions { WorkerCount = workers, MaxConcurrentTasks = concurrency, TaskLease = TimeSpan.FromSeconds(leaseSeconds) };
        await using var host = await CliHost.OpenAsync(location, registry, options, ct);
        host.ComponentFiles = components;
        Console.WriteLine($"store: {location}; serving every pipeline with {workers} claim loops, up to {concurrency} tasks at once; Ctrl-C to stop");
        // What it does, a line per activity it starts, finishes or fails: enough to see a worker is alive and busy.
        host.Pipelines.EventRaised += (_, e) =>
        {
            var what = e.Type switch
            {
                "node_enter" => "started",
                "node_finish" => "finished",
                "node_execute_fail" or "node_schedule_fail" => "FAILED",
                "pipeline_finish" => "pipeline finished",
                _ => null,
            };
            if (what is not null)
            {
                Console.WriteLine($"{host.Engine.Time.GetUtcNow():HH:mm:ss.fff} {e.RootPipelineId} {e.NodeId ?? ""} {what}".Replace("  ", " ", StringComparison.Ordinal));
            }
        };
        await host.StartWorkersAsync(null, ct);
        var waitingSaid = false;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            if (untilIdle && await host.IsIdleAsync(ct))
            {
                break;
            }

            if (untilIdle && host.HeldByOthers > 0 && !waitingSaid)
            {
                // Said once: a crashed run's tasks come back only when its lease lapses, which can take a while.
                waitingSaid = true;
                Console.WriteLine($"waiting for {host.HeldByOthers} task(s) other workers hold: a live worker finishes them, a dead one's come back here once its lease lapses");
            }
        }

        await StopAndReportAsync(host);
        return 0;
    }

    /// <summary>
    /// Stops the workers and says what they left: the tasks they handed back (StopWorkersAsync says so), or else work
    /// still queued, such as the next steps that services finishing in the grace period queued.
    /// </summary>
    internal static async Task StopAndReportAsync(CliHost host)
    {
        var exit = await host.StopWorkersAsync();
        if (exit is not { TasksHandedBack: > 0 } && host.StoreError is null && await host.Store.NextDueInAsync(WorkFilter.Any, CancellationToken.None) is not null)
        {
            await Console.Error.WriteLineAsync(await host.Store.NextDueInAsync(host.Engine.WorkFilter(), CancellationToken.None) is null
                ? "work is still queued in the store that needs components this worker lacks (bamboo show ID says which): a worker with their --components runs it"
                : $"work is still queued in the store; another worker takes it, or continue with: {host.WorkerCommandLine}");
        }
    }
}
