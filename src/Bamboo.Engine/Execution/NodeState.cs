namespace Bamboo.Engine.Execution;

/// <summary>State names of states.md §1 and the transition table of §4, in one place.</summary>
public static class NodeState
{
    public const string Created = "CREATED";
    public const string Ready = "READY";
    public const string LoopReady = "LOOP_READY";
    public const string Running = "RUNNING";
    public const string Suspended = "SUSPENDED";
    public const string Blocked = "BLOCKED";
    public const string Finished = "FINISHED";
    public const string Failed = "FAILED";
    public const string Revoked = "REVOKED";
    public const string RollingBack = "ROLLING_BACK";
    public const string RollBackSuccess = "ROLL_BACK_SUCCESS";

    /// <summary>The states a run (its root pipeline) can be in; a run with a failed node stays RUNNING.</summary>
    public static IReadOnlyList<string> RunStates { get; } = [Running, Suspended, Finished, Revoked];
    public const string RollBackFailed = "ROLL_BACK_FAILED";

    private static readonly Dictionary<string, HashSet<string>> Transitions = new()
    {
        [Ready] = [Running, Suspended],
        [LoopReady] = [Running, Suspended],
        [Running] = [Suspended, Finished, Failed, Revoked, RollingBack],
        [Suspended] = [Ready, Running, Revoked, RollingBack],
        [Blocked] = [],
        [Finished] = [Running, Failed, RollingBack],
        [Failed] = [Ready, LoopReady, Finished],
        [Revoked] = [],
        [RollingBack] = [RollBackSuccess, RollBackFailed],
        [RollBackSuccess] = [Ready, Finished],
        [RollBackFailed] = [Ready, Finished, RollingBack],
        [Created] = [],
    };

    public static bool CanTransit(string from, string to) => Transitions.TryGetValue(from, out var set) && set.Contains(to);

    public static bool IsArchived(string name) => name is Finished or Failed or Revoked;
}
