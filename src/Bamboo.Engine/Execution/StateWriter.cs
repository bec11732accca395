using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Execution;

/// <summary>The single set_state operation of states.md §3: version check, transition check, counters and times.</summary>
internal static class StateWriter
{
    public sealed record Change(string To)
    {
        public string? ExpectedVersion { get; init; }
        public int? Loop { get; init; }
        public int? InnerLoop { get; init; }
        public string? RootId { get; init; }
        public string? ParentId { get; init; }
        public bool IsRetry { get; init; }
        public bool IsSkip { get; init; }
        public bool ResetRetry { get; init; }
        public bool ResetSkip { get; init; }
        public bool ErrorIgnored { get; init; }
        public bool ResetErrorIgnored { get; init; }
        public bool RefreshVersion { get; init; }
        public bool ClearStartedTime { get; init; }
        public bool SetStartedTime { get; init; }
        public bool ClearArchivedTime { get; init; }
        public bool SetArchiveTime { get; init; }
    }

    /// <summary>Checks and applies a change and writes it: insert for a new record, versioned update otherwise.</summary>
    public static async ValueTask<StateRecord> SetAsync(IStoreTransaction tx, string nodeId, Change c, StateRecord? current = null)
    {
        current ??= await tx.States.GetAsync(nodeId).ConfigureAwait(false);
        var next = Next(nodeId, current, c, tx.Now);
        await WriteAsync(tx, next, current).ConfigureAwait(false);
        return next;
    }

    /// <summary>Writes <paramref name="next"/> over <paramref name="persisted"/> (null: no row yet).</summary>
    public static async ValueTask WriteAsync(IStoreTransaction tx, StateRecord next, StateRecord? persisted)
    {
        if (persisted is null)
        {
            await tx.States.InsertAsync(next).ConfigureAwait(false);
        }
        else
        {
            // The name too: a step may write over a state it did not read in this transaction (see ServiceCallOutcome.State).
            await tx.States.UpdateOrThrowAsync(next, persisted.Version, persisted.Name).ConfigureAwait(false);
        }
    }

    /// <summary>The record after a change, checked against the version and the transition table; nothing is written.</summary>
    public static StateRecord Next(string nodeId, StateRecord? current, Change c, long now)
    {
        if (current is null)
        {
            return new StateRecord(nodeId, c.RootId ?? "", c.ParentId ?? "", c.To, Versions.New(),
                c.Loop ?? 1, c.InnerLoop ?? 1, 0, false, false, now,
                c.SetStartedTime ? now : null, c.SetArchiveTime ? now : null);
        }

        if (c.ExpectedVersion is not null && c.ExpectedVersion != current.Version)
        {
            throw new StateVersionNotMatchException($"state version({current.Version}) not match {c.ExpectedVersion}");
        }

        if (!NodeState.CanTransit(current.Name, c.To))
        {
            throw new StateTransitionException(nodeId, current.Name, c.To);
        }

        // Later flags win over earlier ones for the same field, as in bamboo's set_state.
        return current with
        {
            Name = c.To,
            Loop = c.Loop ?? current.Loop,
            InnerLoop = c.InnerLoop ?? current.InnerLoop,
            RootId = string.IsNullOrEmpty(c.RootId) ? current.RootId : c.RootId,
            ParentId = string.IsNullOrEmpty(c.ParentId) ? current.ParentId : c.ParentId,
            Retry = c.ResetRetry ? 0 : c.IsRetry ? current.Retry + 1 : current.Retry,
            Skip = !c.ResetSkip && (c.IsSkip || current.Skip),
            ErrorIgnored = c.ErrorIgnored || (!c.ResetErrorIgnored && current.ErrorIgnored),
            Version = c.RefreshVersion ? Versions.New() : current.Version,
            StartedTime = c.SetStartedTime ? now : c.ClearStartedTime ? null : current.StartedTime,
            ArchivedTime = c.SetArchiveTime ? now : c.ClearArchivedTime ? null : current.ArchivedTime,
        };
    }
}
