using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Postgres;
using Bamboo.Runtime.Tests.Probes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>
/// On PostgreSQL, a worker whose clock is an hour ahead or behind neither takes a live worker's task nor stalls a poll:
/// due times are on the database's clock, liveness on each worker's monotonic clock.
/// </summary>
[Trait("Category", "Slow")]
[Trait("Category", "Postgres")]
public sealed class PostgresClockStepTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-pg-clock-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Log => Path.Combine(_dir, "executions");

    private static ComponentRegistry Components() =>
        new ComponentRegistry().AddTestkit().AddComponent<ProbeService>("probe").AddComponent<PollProbeService>("poll_probe");

    /// <summary>A worker process's worth: its own store on the schema, an engine, running workers.</summary>
    private sealed class Worker : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task<WorkerExit> _running;

        private Worker(PostgresStore store, TimeProvider time)
        {
            Store = store;
            Engine = new BambooEngine(store, Components(), new EngineOptions { TaskLease = TimeSpan.FromSeconds(1) }, time);
            _running = new EngineWorker(Engine, new PipelineEngine(Engine, NullLogger<PipelineEngine>.Instance), NullLogger<EngineWorker>.Instance).RunAsync(_stop.Token);
        }

        public PostgresStore Store { get; }

        public BambooEngine Engine { get; }

        public static async Task<Worker> StartAsync(string connection, TimeProvider time) =>
            new(await PostgresStore.OpenAsync(new PostgresStoreOptions { ConnectionString = connection }, time), time);

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _running;
            await Store.DisposeAsync();
            _stop.Dispose();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task ClockAnHourOff_InAnotherWorker_TakesNoLiveTaskAndStallsNoPoll(int hours)
    {
        await using var scratch = await PostgresScratch.CreateAsync();
        Assert.SkipWhen(scratch is null, $"{PostgresScratch.Variable} is not set");
        var slow = Trees.Probe(("log", Log), ("block_ms", 3000));
        var poll = new Bamboo.Engine.Building.ServiceActivity("poll_probe");
        poll.Inputs["polls"] = new Bamboo.Engine.Building.Var(Bamboo.Engine.Building.Var.Plain, 5);
        await using var owner = await Worker.StartAsync(scratch.Connection, TimeProvider.System);
        var blocking = Trees.Sequence(slow);
        Assert.True((await EngineApi.RunPipelineAsync(owner.Engine, blocking)).Result);
        await WaitUntil.TrueAsync(() => Task.FromResult(Directory.Exists(Log)), TimeSpan.FromSeconds(10), "the slow service to start");

        var clock = new SteppingTimeProvider { Offset = TimeSpan.FromHours(hours) };
        await using var skewed = await Worker.StartAsync(scratch.Connection, clock);
        var polling = Trees.Sequence(poll);
        Assert.True((await EngineApi.RunPipelineAsync(skewed.Engine, polling)).Result);

        // The poll's five rounds, 100 ms apart, finish in whichever worker claims them, skewed or not.
        await WaitUntil.TrueAsync(async () => (await owner.Store.ReadAsync(tx => tx.States.GetAsync(polling.Id)))?.Name == NodeState.Finished,
            TimeSpan.FromSeconds(10), "the polling pipeline to finish");
        await WaitUntil.TrueAsync(async () => (await owner.Store.ReadAsync(tx => tx.States.GetAsync(blocking.Id)))?.Name == NodeState.Finished,
            TimeSpan.FromSeconds(30), "the slow pipeline to finish");
        Assert.Equal(1, new ProbeLog(Log).Count(slow.Id));
        Assert.Empty(await owner.Store.ReadAsync(tx => tx.Schedules.GetHistoriesAsync(slow.Id)));
    }
}
