using System.CommandLine;
using Bamboo.Cli.Conformance;

namespace Bamboo.Cli.Commands;

/// <summary><c>bamboo conformance PATH…</c>: runs scenario files; exit 0 only when all pass.</summary>
internal static class ConformanceCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("paths") { Description = "scenario files or folders", Arity = ArgumentArity.OneOrMore };
        var runtime = new Option<string>("--runtime") { Description = "storage runtime: sqlite or postgres", DefaultValueFactory = _ => "sqlite" };
        var connection = new Option<string?>("--connection")
        {
            Description = $"PostgreSQL connection string for --runtime postgres (default: ${StoreArguments.PostgresVariable}); each scenario gets a schema of its own",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(StoreArguments.PostgresVariable),
        };
        var components = CliHost.ComponentsOption();
        var command = new Command("conformance", "Run conformance scenarios") { paths, runtime, connection, components };
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(paths)!, parse.GetValue(runtime)!, parse.GetValue(connection), parse.GetValue(components) ?? [], ct));
        return command;
    }

    public static async Task<int> RunAsync(string[] paths, string runtime, string? connection, string[] components, CancellationToken ct)
    {
        Func<Task<ScratchStore>> stores;
        try
        {
            stores = ScratchStore.Factory(runtime, connection);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return ExitCodes.Refused;
        }

        var files = paths.SelectMany(ScenarioRunner.FindScenarios).ToList();
        if (files.Count == 0)
        {
            // "0 passed, 0 failed" with exit 0 would pass a CI job that points at the wrong folder.
            await Console.Error.WriteLineAsync($"no scenario files (*.json) in {string.Join(", ", paths)}");
            return ExitCodes.Refused;
        }
        try
        {
            CliHost.Registry(components);
        }
        catch (Engine.Exceptions.BambooException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        var runner = new ScenarioRunner(() => CliHost.Registry(components), stores);
        var passed = 0;
        var failed = 0;
        foreach (var batch in files.Chunk(4))
        {
            var results = await Task.WhenAll(batch.Select(f => runner.RunFileAsync(f, ct)));
            foreach (var r in results)
            {
                if (r.Passed)
                {
                    passed++;
                    Console.WriteLine($"passed  {r.Name} ({r.Elapsed.TotalSeconds:0.0}s)");
                }
                else
                {
                    failed++;
                    Console.WriteLine($"FAILED  {r.Name}: {r.Failure}");
                }
            }
        }

        Console.WriteLine($"{passed} passed, {failed} failed");
        return failed == 0 ? 0 : 1;
    }
}
