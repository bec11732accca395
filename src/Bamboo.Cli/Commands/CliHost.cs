using System.CommandLine;
using Bamboo.Engine;
using Bamboo.Engine.Client;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;
using Bamboo.Runtime.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Cli.Commands;

/// <summary>
/// The embedded store, the engine on it, and in-process workers that a CLI command runs while it lives. Workers serve
/// only the runs the command was given unless told to serve the whole store; on exit they hand back what they hold.
/// </summary>
internal sealed partial class CliHost : IAsyncDisposable
{
    public const string DefaultDatabase = ".bamboo/bamboo.db";

    private readonly CancellationTokenSource _stop = new();
    private Task<WorkerExit>? _workers;
    private EngineWorker? _worker;

    private CliHost(StoreLocation location, IEngineStore store, ComponentRegistry registry, EngineOptions options)
    {
        Location = location;
        Store = store;
        Engine = new BambooEngine(store, registry, options);
        Pipelines = new PipelineEngine(Engine, NullLogger<PipelineEngine>.Instance);
        Client = new BambooClient(Engine, Pipelines);
    }

    /// <summary>Opens the store (creating it, or bringing its schema up to date) with the engine on it; no worker runs yet.</summary>
    public static Task<CliHost> OpenAsync(StoreLocation location, ComponentRegistry? registry = null, EngineOptions? options = null, CancellationToken cancellationToken = default) =>
        OpenAsync(location, readOnly: false, registry, options, cancellationToken);

    /// <summary>
    /// Opens the store with the engine on it. Read-only (for commands that only look) nothing is created or migrated: a
    /// missing SQLite file or one of another schema version is a <see cref="Engine.Exceptions.StoreOpenException"/>.
    /// Only the default store's folder is created when missing, so a mistyped <c>--db</c> folder is reported, not made.
    /// </summary>
    public static async Task<CliHost> OpenAsync(StoreLocation location, bool readOnly, ComponentRegistry? registry = null, EngineOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EngineOptions();
        IEngineStore store = location.Postgres is { } connection
            ? await PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connection, ReadOnly = readOnly, WakeLimit = options.WorkerCount }, cancellationToken: cancellationToken)
            : new SqliteStore(new SqliteStoreOptions
            {
                DatabasePath = location.Database!,
                ReadOnly = readOnly,
                CreateFolder = location.Database == DefaultDatabase,
                WakeLimit = options.WorkerCount,
            });
        return new CliHost(location, store, registry ?? Registry(), options);
    }

    /// <summary>Opens a SQLite store at <paramref name="database"/>.</summary>
    public static Task<CliHost> OpenAsync(string database, ComponentRegistry? registry = null, EngineOptions? options = null) =>
        OpenAsync(new StoreLocation(database, null), registry, options);

    public StoreLocation Location { get; }

    public IEngineStore Store { get; }

    public BambooEngine Engine { get; }

    /// <summary>The state machine this process's workers run; its events drive the live lines.</summary>
    public PipelineEngine Pipelines { get; }

    /// <summary>The Engine API and queries, waking at once when this process's workers move a run.</summary>
    public BambooClient Client { get; }

    /// <summary>The <c>--components</c> files the command was given, for the worker it suggests.</summary>
    public IReadOnlyList<string> ComponentFiles { get; set; } = [];

    /// <summary>The worker command that goes on with this store's work: this command's store and components.</summary>
    public string WorkerCommandLine => "bamboo worker" + Flags;

    /// <summary>The flags a suggested command needs to act as this one: its store and its <c>--components</c>.</summary>
    public string Flags =>
        Location.Flags + string.Concat(ComponentFiles.Select(f => " --components " + Follow.ShellWord(Path.GetFullPath(f))));

    /// <summary>The first store failure the workers met (a full disk, an I/O error), or null.</summary>
    public Exception? StoreError { get; private set; }

    /// <summary>The test kit, the example components, and the [Component] types of every --components assembly.</summary>
    public static ComponentRegistry Registry(IEnumerable<string>? plugins = null)
    {
        var registry = new ComponentRegistry().AddTestkit();
        if (plugins?.ToList() is { Count: > 0 } files)
        {
            AddPlugins(registry, files);
        }

        return registry;
    }

    /// <summary>The shared <c>--components FILE.dll</c> option (repeatable).</summary>
    public static Option<string[]> ComponentsOption() => new("--components")
    {
        Description = "assembly with [Component]-marked services, lazy variables or end events (repeatable)",
        AllowMultipleArgumentsPerToken = true,
    };

    /// <summary>
    /// Starts workers for these runs only, or, with null, for every run in the store; returns once they are registered,
    /// so that a wait on a run that follows counts them (it would otherwise say that no worker is running).
    /// </summary>
    public async Task StartWorkersAsync(IReadOnlyCollection<string>? roots, CancellationToken cancellationToken)
    {
        var worker = new EngineWorker(Engine, Pipelines, NullLogger<EngineWorker>.Instance) { Roots = roots };
        worker.StoreFailed += (_, e) => StoreError ??= e.Error;
        worker.Reaped += (_, _) => Console.Error.WriteLine("this worker stalled past its lease and was declared dead: its tasks went to other workers, its late work is refused; going on as a new worker");
        _worker = worker;
        _workers = worker.RunAsync(_stop.Token);
        await Task.WhenAny(worker.Registered, _workers).WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Whether no work is left for this process: nothing in flight here, before and after a look at the queue that
    /// finds nothing this worker can claim, no claim begun meanwhile (a task claimed is leased, so the queue no longer
    /// shows it), and no task held by another worker (<see cref="HeldByOthers"/>): a live one finishes it, and a dead
    /// one's (a crashed run, say) come back to the queue for this worker once its lease lapses.
    /// </summary>
    public async Task<bool> IsIdleAsync(CancellationToken cancellationToken)
    {
        if (_worker is not { } worker)
        {
            return false;
        }

        // Read first: a claim that begins after this is seen by the count, one begun before is in flight or done.
        var claims = worker.ClaimsStarted;
        if (worker.InFlight > 0)
        {
            return false;
        }

        // Held first, then queued: a task reaped between the two reads is seen by the second.
        HeldByOthers = await Store.Workers.CountHeldByOthersAsync(worker.Owner, cancellationToken);
        // Only what this worker could claim counts: a task that needs a component it lacks waits for another worker.
        return HeldByOthers == 0 && await Store.NextDueInAsync(Engine.WorkFilter(worker.Roots), cancellationToken) is null
            && worker.InFlight == 0 && worker.ClaimsStarted == claims;
    }

    /// <summary>Tasks other workers held at the last <see cref="IsIdleAsync"/> that found the queue empty.</summary>
    public int HeldByOthers { get; private set; }

    /// <summary>Stops the workers (work in flight gets the grace period) and says on stderr what they left.</summary>
    public async Task<WorkerExit?> StopWorkersAsync()
    {
        if (_workers is null)
        {
            return null;
        }

        await _stop.CancelAsync();
        var exit = await _workers;
        _workers = null;
        if (exit.TasksHandedBack > 0)
        {
            var running = exit.RunningNodes > 0 ? $" ({exit.RunningNodes} of them nodes still RUNNING)" : "";
            await Console.Error.WriteLineAsync($"left {exit.TasksHandedBack} task(s) in the store{running}; continue with: {WorkerCommandLine}");
        }

        return exit;
    }

    public async ValueTask DisposeAsync()
    {
        await StopWorkersAsync();
        switch (Store)
        {
            case IAsyncDisposable disposable:
                await disposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        _stop.Dispose();
    }
}
