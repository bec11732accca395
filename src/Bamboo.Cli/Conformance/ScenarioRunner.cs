using System.Diagnostics;
using System.Text.Json.Nodes;
using Bamboo.Cli.Commands;
using Bamboo.Engine.Components;

namespace Bamboo.Cli.Conformance;

/// <summary>Runs conformance scenario files (shared/conformance/FORMAT.md) against a fresh embedded store each.</summary>
internal sealed partial class ScenarioRunner(Func<ComponentRegistry> registryFactory, Func<Task<ScratchStore>>? stores = null)
{
    private readonly Func<Task<ScratchStore>> _stores = stores ?? ScratchStore.Factory("sqlite", null);

    public ScenarioRunner()
        : this(() => CliHost.Registry())
    {
    }

    /// <summary>The outcome of one scenario: null failure means passed.</summary>
    public sealed record ScenarioResult(string Name, string? Failure, TimeSpan Elapsed)
    {
        public bool Passed => Failure is null;
    }

    public static IEnumerable<string> FindScenarios(string path) =>
        Directory.Exists(path)
            ? Directory.EnumerateFiles(path, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            : [path];

    public async Task<ScenarioResult> RunFileAsync(string file, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        JsonObject scenario;
        try
        {
            scenario = JsonNode.Parse(await File.ReadAllTextAsync(file, cancellationToken)) as JsonObject
                ?? throw new InvalidOperationException("the file holds no JSON object");
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or IOException or InvalidOperationException)
        {
            return new ScenarioResult(file, $"cannot read scenario: {ex.Message}", watch.Elapsed);
        }

        if (scenario["steps"] is not JsonArray)
        {
            // A tree or another JSON file passed by mistake: said per file, nothing is run.
            return new ScenarioResult(file, "not a conformance scenario: it has no \"steps\" array (see the corpus's FORMAT.md)", watch.Elapsed);
        }

        var name = scenario["name"] is JsonValue named && named.TryGetValue<string>(out var text) ? text : file;
        await using var scratch = await _stores();
        await using var host = await CliHost.OpenAsync(scratch.Location, registryFactory(), cancellationToken: cancellationToken);
        await host.StartWorkersAsync(null, cancellationToken);
        var failure = await new ScenarioSession(host.Engine, scenario).RunAsync(cancellationToken);
        return new ScenarioResult(name, failure, watch.Elapsed);
    }
}
