using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;
using Bamboo.Engine.Validation;

namespace Bamboo.Engine.Execution;

/// <summary>
/// Compiled runs of one runtime, shared by the engine and the API so a tree is parsed once per process.
/// Runs are immutable once started, so entries never go stale; one cache per runtime instance keeps two
/// engines in one process apart.
/// </summary>
internal sealed class CompiledPipelineCache
{
    internal const int Capacity = 1000;

    private static readonly ConditionalWeakTable<IEngineRuntime, CompiledPipelineCache> PerRuntime = [];

    private readonly ConcurrentDictionary<string, CompiledPipeline> _runs = new();
    private readonly IEngineRuntime _runtime;
    private int _count;

    private CompiledPipelineCache(IEngineRuntime runtime) => _runtime = runtime;

    public static CompiledPipelineCache Of(IEngineRuntime runtime) => PerRuntime.GetValue(runtime, r => new CompiledPipelineCache(r));

    public CompiledPipeline Get(IStepTransaction tx, string rootId) =>
        Find(tx, rootId) ?? throw new NotFoundError($"pipeline({rootId}) does not exist");

    /// <summary>The compiled run, read from the store only when it is not cached; null when the store has no such run.</summary>
    public CompiledPipeline? Find(IStepTransaction tx, string rootId)
    {
        if (_runs.TryGetValue(rootId, out var compiled))
        {
            return compiled;
        }

        var run = tx.GetRun(rootId);
        if (run is null)
        {
            return null;
        }

        var validated = new PipelineValidator(_runtime.Components.EndEventCodes).Validate(Pipeline.Parse(run.TreeJson), run.CycleTolerate);
        compiled = CompiledPipeline.Compile(validated, run.RootPipelineData);
        Add(compiled);
        return compiled;
    }

    /// <summary>The run a node belongs to.</summary>
    public CompiledPipeline ForNode(IStepTransaction tx, string nodeId) =>
        FindForNode(tx, nodeId) ?? throw new NotFoundError($"node({nodeId}) does not exist");

    /// <summary>The compiled run a node belongs to; null when no run in the store has that node.</summary>
    public CompiledPipeline? FindForNode(IStepTransaction tx, string nodeId) =>
        tx.GetNodeRoot(nodeId) is { } root ? Get(tx, root) : null;

    public void Add(CompiledPipeline compiled)
    {
        // Counted here rather than with ConcurrentDictionary.Count, which takes every lock of the dictionary; Add runs
        // inside run_pipeline's transaction, under the store's write lock. The bound is approximate under races.
        if (Volatile.Read(ref _count) >= Capacity)
        {
            _runs.Clear();
            Interlocked.Exchange(ref _count, 0);
        }

        if (_runs.TryAdd(compiled.RootId, compiled))
        {
            Interlocked.Increment(ref _count);
        }
        else
        {
            _runs[compiled.RootId] = compiled;
        }
    }

    /// <summary>How many runs are cached.</summary>
    internal int Count => Volatile.Read(ref _count);

    /// <summary>Drops this compiled run, only if it is the one cached under its root id.</summary>
    public void Remove(CompiledPipeline compiled)
    {
        if (_runs.TryRemove(new KeyValuePair<string, CompiledPipeline>(compiled.RootId, compiled)))
        {
            Interlocked.Decrement(ref _count);
        }
    }
}
