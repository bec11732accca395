using System.Collections.Concurrent;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;
using Bamboo.Engine.Validation;

namespace Bamboo.Engine.Execution;

/// <summary>
/// Compiled runs of one engine, shared by the engine and the API so a tree is parsed once per process.
/// Runs are immutable once started, so entries never go stale.
/// </summary>
internal sealed class CompiledPipelineCache
{
    internal const int Capacity = 1000;

    private readonly ConcurrentDictionary<string, CompiledPipeline> _runs = new();
    private int _count;

    public async ValueTask<CompiledPipeline> GetAsync(IStoreTransaction tx, string rootId) =>
        await FindAsync(tx, rootId).ConfigureAwait(false) ?? throw new NotFoundError($"pipeline({rootId}) does not exist");

    /// <summary>The compiled run, read from the store only when it is not cached; null when the store has no such run.</summary>
    public async ValueTask<CompiledPipeline?> FindAsync(IStoreTransaction tx, string rootId)
    {
        if (_runs.TryGetValue(rootId, out var compiled))
        {
            return compiled;
        }

        var run = await tx.Runs.GetAsync(rootId).ConfigureAwait(false);
        if (run is null)
        {
            return null;
        }

        // Checked against the starting process's end events when the run started; this process may lack some (it then
        // hands their tasks to a worker that has them).
        var validated = new PipelineValidator(null).Validate(Pipeline.Parse(run.TreeJson), run.CycleTolerate);
        compiled = CompiledPipeline.Compile(validated, run.RootPipelineData);
        Add(compiled);
        return compiled;
    }

    /// <summary>The run a node belongs to.</summary>
    public async ValueTask<CompiledPipeline> ForNodeAsync(IStoreTransaction tx, string nodeId) =>
        await FindForNodeAsync(tx, nodeId).ConfigureAwait(false) ?? throw new NotFoundError($"node({nodeId}) does not exist");

    /// <summary>The compiled run a node belongs to; null when no run in the store has that node.</summary>
    public async ValueTask<CompiledPipeline?> FindForNodeAsync(IStoreTransaction tx, string nodeId) =>
        await tx.Runs.GetNodeRootAsync(nodeId).ConfigureAwait(false) is { } root ? await GetAsync(tx, root).ConfigureAwait(false) : null;

    public void Add(CompiledPipeline compiled)
    {
        // Counted here rather than with ConcurrentDictionary.Count, which takes every lock of the dictionary; Add runs
        // inside run_pipeline's transaction, under the store's write lock. The bound is approximate under races.
        if (Volatile.Read(ref _count) >= Capacity)
        {
            _runs.Clear();
            Interlocked.Exchange(ref _count, 0);
        }

        // A run cached already stays: it never changes, and a refused second run_pipeline under its root id, whose
        // tree may differ, must not stand in for it while its transaction fails.
        if (_runs.TryAdd(compiled.RootId, compiled))
        {
            Interlocked.Increment(ref _count);
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
