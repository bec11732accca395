namespace Bamboo.Engine.Runtime;

/// <summary>Started runs: their trees, and which run each node id belongs to.</summary>
public interface IRunStore
{
    ValueTask<RunRecord?> GetAsync(string rootId);

    /// <summary>
    /// Stores a run and indexes its node ids. When an id is in use already, the caller's work fails with
    /// <see cref="Exceptions.NodeIdsTakenException"/>, at once or at the latest when it commits, and nothing of it
    /// is stored: a store that pays a round trip per statement checks the ids with the work's next one.
    /// </summary>
    ValueTask InsertAsync(RunRecord run, IReadOnlyCollection<string> nodeIds);

    /// <summary>Which of <paramref name="nodeIds"/> some run uses, <paramref name="rootId"/> first when it is; null when none is.</summary>
    ValueTask<string?> FindTakenAsync(string rootId, IReadOnlyCollection<string> nodeIds);

    /// <summary>The root id of the run a node belongs to, or null for an unknown node.</summary>
    ValueTask<string?> GetNodeRootAsync(string nodeId);

    /// <summary>A page of runs, newest first, that <paramref name="query"/> admits.</summary>
    ValueTask<IReadOnlyList<RunSummary>> ListAsync(RunQuery query);
}
