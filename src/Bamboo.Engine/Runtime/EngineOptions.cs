namespace Bamboo.Engine.Runtime;

/// <summary>Engine settings (runtime.md §5).</summary>
public sealed class EngineOptions
{
    /// <summary>A node may run at most this many times + 1 through loops.</summary>
    public int RerunLimit { get; set; } = 100;

    /// <summary>Added to _loop / _inner_loop in activity inputs.</summary>
    public int RerunIndexOffset { get; set; }

    /// <summary>
    /// Loops that claim tasks in the in-process host. They are async loops, not threads; more than the cores lets
    /// claims of parallel branches share a commit.
    /// </summary>
    public int WorkerCount { get; set; } = 4;

    /// <summary>Tasks in progress at once; a task waiting on a slow service holds a slot, not a worker loop.</summary>
    public int MaxConcurrentTasks { get; set; } = 64;

    /// <summary>
    /// How long this worker's heartbeat may stand still before other processes count it dead and take its tasks over
    /// (after a crash or a freeze). Measured by each observer on its own monotonic clock.
    /// </summary>
    public TimeSpan TaskLease { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On shutdown, how long tasks in flight may run on before they are cut off and handed back (their services then
    /// run again elsewhere).
    /// </summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How often a service call that has not returned checks that its node is still at the call's version. When an
    /// operator forced the node to fail, revoked the run or the node moved on otherwise, the call is cancelled and
    /// abandoned (its result would be refused anyway), so its slot and its task are free at once.
    /// </summary>
    public TimeSpan MovedOnCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The most a node's execution data (inputs and outputs, as JSON) may weigh. A service that leaves more fails its
    /// node with a message naming this limit, measured before anything reaches the store, so the store's writer never
    /// spends its time on it.
    /// </summary>
    public int MaxNodeDataBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The most a callback's data (as JSON) may weigh; a heavier callback is refused and changes nothing.</summary>
    public int MaxCallbackBytes { get; set; } = 1024 * 1024;

    /// <summary>Delay before a multi-callback schedule that found the lock taken tries again.</summary>
    public TimeSpan ScheduleLockRetry { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Honour extra_info.strategy = "FIRST" on exclusive gateways (bamboo ignores it; see execution.md §5.5).</summary>
    public bool HonourGatewayStrategy { get; set; } = true;
}
