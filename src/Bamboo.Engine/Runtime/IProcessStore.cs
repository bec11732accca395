namespace Bamboo.Engine.Runtime;

/// <summary>The processes (tokens) that walk the nodes of runs (execution.md §1).</summary>
public interface IProcessStore
{
    ValueTask<ProcessRecord> GetAsync(long id);

    ValueTask<long> InsertAsync(ProcessRecord process);

    /// <summary>
    /// Inserts several processes (a fork's children) and returns their ids in the same order. A store that pays a
    /// round trip per statement sends them together: a fork must not cost one per branch.
    /// </summary>
    ValueTask<IReadOnlyList<long>> InsertAllAsync(IReadOnlyList<ProcessRecord> processes);

    ValueTask UpdateAsync(ProcessRecord process);

    /// <summary>
    /// Counts a child process reaching its converge gateway. True when it was the last one the parent waited for;
    /// the parent's count is then reset (ack_num 0, need_ack -1).
    /// </summary>
    ValueTask<bool> AcknowledgeChildAsync(long parentId);

    /// <summary>The processes whose current node is <paramref name="nodeId"/>, optionally filtered by asleep and dead.</summary>
    ValueTask<IReadOnlyList<ProcessRecord>> GetAtAsync(string nodeId, bool? asleep, bool? dead);

    ValueTask<IReadOnlyList<ProcessRecord>> GetSuspendedByAsync(string id);

    ValueTask<IReadOnlyList<ProcessRecord>> GetChildrenAsync(long parentId);
}
