using System.CommandLine;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Cli.Commands;

/// <summary>The embedded store plus in-process workers that CLI commands share.</summary>
internal sealed class CliHost : IAsyncDisposable
{
    public const string DefaultDatabase = ".bamboo/bamboo.db";

    private readonly CancellationTokenSource _stop = new();
    private Task? _workers;

    public CliHost(string database, ComponentRegistry? registry = null, EngineOptions? options = null)
    {
        Database = database;
        Runtime = new SqliteRuntime(new SqliteRuntimeOptions { DatabasePath = database }, registry ?? Registry(), options);
    }

    public string Database { get; }

    public SqliteRuntime Runtime { get; }

    /// <summary>The test kit, the example components, and the [Component] types of every --components assembly.</summary>
    public static ComponentRegistry Registry(IEnumerable<string>? plugins = null)
    {
        var registry = new ComponentRegistry().AddTestkit();
        foreach (var plugin in plugins ?? [])
        {
            registry.AddFromAssembly(plugin);
        }

        return registry;
    }

    /// <summary>The shared <c>--components FILE.dll</c> option (repeatable).</summary>
    public static Option<string[]> ComponentsOption() => new("--components")
    {
        Description = "assembly with [Component]-marked services, lazy variables or end events (repeatable)",
        AllowMultipleArgumentsPerToken = true,
    };

    public void StartWorkers()
    {
        var engine = new PipelineEngine(Runtime, NullLogger<PipelineEngine>.Instance);
        _workers = new EngineWorker(Runtime, engine, NullLogger<EngineWorker>.Instance).RunAsync(_stop.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_workers is not null)
        {
            await _workers;
        }

        await Runtime.DisposeAsync();
        _stop.Dispose();
    }
}
