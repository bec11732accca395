namespace Bamboo.Engine.Runtime;

/// <summary>Started runs: their trees, and which run each node id belongs to.</summary>
public interface IRunStore
{
    ValueTask<RunRecord?> GetAsync(string rootId);

    /// <summary>
    /// Stores a run and indexes its node ids; returns an id that some other run already uses (the run's own root id
    /// first, when it is taken), inserting nothing, or null.
    /// </summary>
    ValueTask<string?> InsertAsync(RunRecord run, IReadOnlyCollection<string> nodeIds);

    /// <summary>The root id of the run a node belongs to, or null for an unknown node.</summary>
    ValueTask<string?> GetNodeRootAsync(string nodeId);

    /// <summary>A page of runs, newest first, that <paramref name="query"/> admits.</summary>
    ValueTask<IReadOnlyList<RunSummary>> ListAsync(RunQuery query);
}
