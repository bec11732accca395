namespace Bamboo.Engine.Runtime;

/// <summary>The per-node state records (states.md §2).</summary>
public interface IStateStore
{
    ValueTask<StateRecord?> GetAsync(string nodeId);

    /// <summary>The stored states among <paramref name="nodeIds"/>, in any order; ids without a state are left out.</summary>
    ValueTask<IReadOnlyList<StateRecord>> GetManyAsync(IReadOnlyList<string> nodeIds);

    /// <summary>
    /// The read a step starts with, in one round trip: the node's state (null when it has none) and the states of the
    /// pipelines in <paramref name="stack"/> whose state is one of <paramref name="stopping"/>.
    /// </summary>
    ValueTask<(StateRecord? Node, IReadOnlyList<StateRecord> Stopping)> GetStepStatesAsync(string nodeId, IReadOnlyList<string> stack, IReadOnlyList<string> stopping);

    ValueTask InsertAsync(StateRecord state);

    /// <summary>Writes the record only if the stored version equals <paramref name="expectedVersion"/>.</summary>
    ValueTask<bool> UpdateAsync(StateRecord state, string expectedVersion);

    /// <summary>
    /// Writes the record if the stored version equals <paramref name="expectedVersion"/> (and the stored state name
    /// <paramref name="expectedName"/>, when given), and otherwise fails the work with
    /// <see cref="Exceptions.StateVersionNotMatchException"/>: perhaps not at once, as a store may send the write with
    /// its next statements, but always before anything of the work commits. This default checks the version only.
    /// </summary>
    async ValueTask UpdateOrThrowAsync(StateRecord state, string expectedVersion, string? expectedName = null)
    {
        if (!await UpdateAsync(state, expectedVersion).ConfigureAwait(false))
        {
            throw new Exceptions.StateVersionNotMatchException($"state with version({expectedVersion}) not exist");
        }
    }

    /// <summary>Sets inner_loop to 0 on the states of these nodes (the direct children of a subprocess being entered).</summary>
    ValueTask ResetInnerLoopAsync(IReadOnlyCollection<string> nodeIds);
}
