using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Tests.Probes;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>
/// A worker whose wall clock steps an hour neither takes a live worker's task nor stalls a delayed one: liveness and
/// due times are measured on monotonic clocks (the store's clock moves with them), never by comparing wall clocks.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ClockStepTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-clock-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "store.db");

    private string Log => Path.Combine(_dir, "executions");

    private static ComponentRegistry Probes() => new ComponentRegistry().AddComponent<ProbeService>("probe").AddComponent<PollProbeService>("poll_probe");

    private static readonly EngineOptions ShortLease = new() { TaskLease = TimeSpan.FromSeconds(1) };

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task ClockStep_InAnotherWorker_LiveWorkersTaskIsNotTakenOver(int hours)
    {
        var slow = Trees.Probe(("log", Log), ("block_ms", 3000));
        var pipeline = Trees.Sequence(slow);
        await using var owner = new EngineHarness(Probes(), databasePath: Db, options: ShortLease);
        await owner.StartAsync(pipeline);
        await WaitUntil.TrueAsync(() => Task.FromResult(Directory.Exists(Log)), TimeSpan.FromSeconds(10), "the service to start");

        var clock = new SteppingTimeProvider();
        await using var skewed = new EngineHarness(Probes(), databasePath: Db, options: ShortLease, time: clock);
        clock.Offset = TimeSpan.FromHours(hours);
        await owner.WaitStateAsync(pipeline.Id, NodeState.Finished, 30);

        Assert.Equal(1, new ProbeLog(Log).Count(slow.Id));
        Assert.Empty(await owner.HistoriesAsync(slow.Id));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1)]
    public async Task ClockStep_WhilePolling_PollsGoOn(int hours)
    {
        var clock = new SteppingTimeProvider();
        var poll = new Bamboo.Engine.Building.ServiceActivity("poll_probe");
        poll.Inputs["log"] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, Log);
        poll.Inputs["polls"] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, 5);
        var pipeline = Trees.Sequence(poll);
        await using var h = new EngineHarness(Probes(), databasePath: Db, time: clock);
        await h.StartAsync(pipeline);
        await WaitUntil.TrueAsync(() => Task.FromResult(Directory.Exists(Log)), TimeSpan.FromSeconds(10), "the first poll");

        clock.Offset = TimeSpan.FromHours(hours);

        // Four more polls 100 ms apart: well within the timeout unless a due time waits for the wall clock.
        await h.WaitStateAsync(pipeline.Id, NodeState.Finished, 10);
        Assert.Equal(5, new ProbeLog(Log).Count(poll.Id));
    }
}
