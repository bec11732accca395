using System.CommandLine;
using Bamboo.Engine.Runtime;

namespace Bamboo.Cli.Commands;

/// <summary><c>bamboo worker</c>: runs workers against a store until stopped (or, with --until-idle, until no work is left).</summary>
internal static class WorkerCommand
{
    public static Command Create()
    {
        var db = new Option<string>("--db") { Description = "database file", DefaultValueFactory = _ => CliHost.DefaultDatabase };
        var workers = new Option<int>("--workers") { Description = "concurrent workers", DefaultValueFactory = _ => new EngineOptions().WorkerCount };
        var lease = new Option<double>("--lease-seconds") { Description = "how long a claimed task stays owned if this process dies", DefaultValueFactory = _ => new EngineOptions().TaskLease.TotalSeconds };
        var untilIdle = new Option<bool>("--until-idle") { Description = "exit once the queue is empty" };
        var components = CliHost.ComponentsOption();
        var command = new Command("worker", "Run pipeline workers on a store (picks up work a crashed process left)") { db, workers, lease, untilIdle, components };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(db)!, parse.GetValue(workers), parse.GetValue(lease), parse.GetValue(untilIdle), parse.GetValue(components) ?? [], ct));
        return command;
    }

    public static async Task<int> RunAsync(string database, int workers, double leaseSeconds, bool untilIdle, string[] components, CancellationToken ct)
    {
        if (workers < 1 || leaseSeconds <= 0)
        {
            await Console.Error.WriteLineAsync("--workers must be at least 1 and --lease-seconds positive");
            return 2;
        }

        Engine.Components.ComponentRegistry registry;
        try
        {
            registry = CliHost.Registry(components);
        }
        catch (Engine.Exceptions.BambooException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        var options = new EngineOptions { WorkerCount = workers, TaskLease = TimeSpan.FromSeconds(leaseSeconds) };
        await using var host = new CliHost(database, registry, options);
        Console.WriteLine($"store: {Path.GetFullPath(database)}; {workers} workers");
        host.StartWorkers(null);
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

            if (untilIdle && await host.Store.NextDueInAsync(WorkFilter.Any, ct) is null)
            {
                break;
            }
        }

        return 0;
    }
}
