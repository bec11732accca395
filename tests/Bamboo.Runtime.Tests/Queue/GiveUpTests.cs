using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Model;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Tests.Chaos;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Bamboo.Runtime.Tests.Queue;

/// <summary>
/// Giving up on a task where the walk is not a plain sequence: a node inside a parallel branch, and a polling node
/// after some of its polls committed. A step on the poisoned node always throws an engine error (not a service
/// failure); after the last attempt that node, and only it, turns FAILED, and a retry once the fault is gone runs the
/// pipeline to its end.
/// </summary>
public sealed class GiveUpTests
{
    [Fact]
    public async Task GiveUp_OnANodeInAParallelBranch_FailsThatNodeAloneAndARetryFinishesTheRun()
    {
        var start = new EmptyStartEvent();
        var fork = start.Extend(new ParallelGateway());
        var healthy = new ServiceActivity("empty_node");
        var poisoned = new ServiceActivity("empty_node");
        fork.Connect(healthy, poisoned);
        var join = fork.Converge(new ConvergeGateway());
        join.Extend(new EmptyEndEvent());
        var poison = new PoisonSwitch(poisoned.Id, fromWrite: 1);

        await using var h = await Harness.StartAsync("give-up-branch", PipelineBuilder.BuildTree(start), poison);
        await h.RunUntilAsync(() => h.GivenUp, "the poisoned branch to be given up");

        Assert.Equal(NodeState.Failed, await h.StateOfAsync(poisoned.Id));
        Assert.Contains("gave up on the walk from this node after 5 failed attempts", await h.ExDataOfAsync(poisoned.Id), StringComparison.Ordinal);
        Assert.Equal(NodeState.Finished, await h.StateOfAsync(healthy.Id));
        Assert.Equal(NodeState.Finished, await h.StateOfAsync(fork.Id));
        Assert.Null(await h.StateOfAsync(join.Id));
        Assert.Equal(NodeState.Running, await h.StateOfAsync(h.RootId));

        poison.Off();
        var retried = await EngineApi.RetryNodeAsync(h.Engine, poisoned.Id);
        Assert.True(retried.Result, retried.Message);
        await h.RunUntilAsync(async () => await h.StateOfAsync(h.RootId) == NodeState.Finished, "the retried run to finish");
        Assert.Equal(NodeState.Finished, await h.StateOfAsync(join.Id));
    }

    [Fact]
    public async Task GiveUp_OnAPollingNodeAfterTwoPollsCommitted_FailsItAfterFiveAttemptsOfTheThird()
    {
        var start = new EmptyStartEvent();
        var polling = start.Extend(new ServiceActivity("schedule_node"));
        polling.Extend(new EmptyEndEvent());
        // Its execute writes its data once, each poll once more: the third poll is the first that cannot commit.
        var poison = new PoisonSwitch(polling.Id, fromWrite: 4);

        await using var h = await Harness.StartAsync("give-up-polls", PipelineBuilder.BuildTree(start), poison);
        await h.RunUntilAsync(() => h.GivenUp, "the polling node to be given up");

        Assert.Equal(NodeState.Failed, await h.StateOfAsync(polling.Id));
        var exData = await h.ExDataOfAsync(polling.Id);
        Assert.Contains("after 5 failed attempts", exData, StringComparison.Ordinal);
        // A committed poll starts the count again: the polls before did not use up the attempts.
        Assert.Equal(3 + 5, poison.Writes);
        Assert.Equal(2, (await h.OutputsOfAsync(polling.Id))?["count"]?.GetValue<int>());

        poison.Off();
        var retried = await EngineApi.RetryNodeAsync(h.Engine, polling.Id);
        Assert.True(retried.Result, retried.Message);
        await h.RunUntilAsync(async () => await h.StateOfAsync(h.RootId) == NodeState.Finished, "the retried run to finish");
    }

    /// <summary>
    /// Throws an engine error (not a store error) when a step writes the node's data for the <c>fromWrite</c>-th time
    /// or later; the give-up's own transaction, which completes the task first, goes through.
    /// </summary>
    private sealed class PoisonSwitch(string nodeId, int fromWrite)
    {
        private volatile bool _off;
        private int _writes;

        public int Writes => Volatile.Read(ref _writes);

        public void Off() => _off = true;

        public Exception? Check(TransactionLog log, OpRecord op)
        {
            if (_off || op is not { Name: "data.set_execution_data" } || op.Subject != nodeId || log.Ops.Any(o => o.Name == "tasks.complete"))
            {
                return null;
            }

            return Interlocked.Increment(ref _writes) >= fromWrite ? new InvalidOperationException($"poisoned write of {nodeId}") : null;
        }
    }

    private sealed class Harness : IAsyncDisposable
    {
        private readonly TempDatabase _db;
        private readonly IAsyncDisposable _inner;
        private readonly FakeTimeProvider _time;
        private readonly CollectingLogger<EngineWorker> _log = new();

        private Harness(TempDatabase db, IAsyncDisposable inner, FaultStore store, FakeTimeProvider time, string rootId)
        {
            _db = db;
            _inner = inner;
            _time = time;
            Store = store;
            RootId = rootId;
            Engine = new BambooEngine(store, new ComponentRegistry().AddTestkit(), new EngineOptions { WorkerCount = 2 }, time);
        }

        public FaultStore Store { get; }

        public BambooEngine Engine { get; }

        public string RootId { get; }

        public bool GivenUp => _log.Entries.Any(e => e.Contains("dropped after", StringComparison.Ordinal));

        public static async Task<Harness> StartAsync(string name, Pipeline pipeline, PoisonSwitch poison)
        {
            var db = new TempDatabase(name);
            var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(20000));
            var inner = db.OpenStore(time);
            var h = new Harness(db, inner, new FaultStore(inner) { Poison = poison.Check }, time, pipeline.Id);
            var started = await EngineApi.RunPipelineAsync(h.Engine, pipeline);
            Assert.True(started.Result, started.Message);
            return h;
        }

        /// <summary>Runs a worker until the condition holds; each check moves the clock on a second, so back-offs and poll intervals pass.</summary>
        public async Task RunUntilAsync(Func<Task<bool>> condition, string what)
        {
            var sut = new EngineWorker(Engine, new PipelineEngine(Engine, NullLogger<PipelineEngine>.Instance), _log);
            using var stop = new CancellationTokenSource();
            var workers = sut.RunAsync(stop.Token);
            try
            {
                await WaitUntil.TrueAsync(async () =>
                {
                    _time.Advance(TimeSpan.FromSeconds(1));
                    return await condition();
                }, TimeSpan.FromSeconds(30), $"{what} ({string.Join(" | ", _log.Entries.TakeLast(3))})");
            }
            finally
            {
                await stop.CancelAsync();
                await workers.WaitAsync(TimeSpan.FromSeconds(20));
            }
        }

        public Task RunUntilAsync(Func<bool> condition, string what) => RunUntilAsync(() => Task.FromResult(condition()), what);

        public async Task<string?> StateOfAsync(string nodeId) => (await Store.ReadAsync(tx => tx.States.GetAsync(nodeId)))?.Name;

        public async Task<System.Text.Json.Nodes.JsonObject?> OutputsOfAsync(string nodeId) =>
            (await Store.ReadAsync(tx => tx.Data.GetExecutionDataAsync(nodeId)))?.Outputs;

        public async Task<string?> ExDataOfAsync(string nodeId) => (await OutputsOfAsync(nodeId))?["ex_data"]?.GetValue<string>();

        public async ValueTask DisposeAsync()
        {
            await _inner.DisposeAsync();
            _db.Dispose();
        }
    }
}
