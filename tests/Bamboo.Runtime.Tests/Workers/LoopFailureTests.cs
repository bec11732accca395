using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;
using Bamboo.Runtime.Sqlite;
using Bamboo.Runtime.Tests.Probes;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bamboo.Runtime.Tests.Workers;

/// <summary>
/// A claim that fails with an error the engine does not know (a driver's own exception rather than a store error, a
/// bug) must not end the worker's loop: a worker whose loops have all ended goes on beating, so nobody else takes its
/// work, and it claims nothing.
/// </summary>
public sealed class LoopFailureTests : IDisposable
{
    private readonly TempDatabase _db = new("loop-failure");

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task ClaimsFailWithAnUnknownError_MoreTimesThanThereAreLoops_TheWorkerGoesOnAndFinishesTheRun()
    {
        await using var sqlite = new SqliteStore(new SqliteStoreOptions { DatabasePath = _db.Path });
        var store = new FailingWrites(sqlite);
        var options = new EngineOptions { WorkerCount = 2 };
        var engine = new BambooEngine(store, new ComponentRegistry().AddTestkit(), options);
        var pipeline = Trees.Sequential(3);
        Assert.True((await EngineApi.RunPipelineAsync(engine, pipeline)).Result);

        // Every loop's first claims fail, twice over.
        store.Failures = options.WorkerCount * 2;
        var logger = new CollectingLogger<EngineWorker>();
        using var stop = new CancellationTokenSource();
        var worker = new EngineWorker(engine, new PipelineEngine(engine, NullLogger<PipelineEngine>.Instance), logger).RunAsync(stop.Token);

        await WaitUntil.TrueAsync(async () => (await sqlite.ReadAsync(tx => tx.States.GetAsync(pipeline.Id)))?.Name == NodeState.Finished,
            TimeSpan.FromSeconds(30), "the run to finish after the failed claims");
        Assert.Equal(0, store.Failures);
        Assert.Contains(logger.Entries, e => e.Contains("A work loop failed while claiming", StringComparison.Ordinal) && e.Contains("driver", StringComparison.Ordinal));

        await stop.CancelAsync();
        await worker;
    }

    /// <summary>A store whose next <see cref="Failures"/> write transactions throw what no store error looks like.</summary>
    private sealed class FailingWrites(IEngineStore inner) : IEngineStore
    {
        private int _failures;

        public int Failures
        {
            get => Volatile.Read(ref _failures);
            set => Volatile.Write(ref _failures, value);
        }

        public IWorkerRegistry Workers => inner.Workers;

        public Task<T> WriteAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default) =>
            TakeFailure() ? throw new InvalidOperationException("the driver is confused") : inner.WriteAsync(work, cancellationToken);

        private bool TakeFailure()
        {
            int left;
            do
            {
                left = Volatile.Read(ref _failures);
                if (left <= 0)
                {
                    return false;
                }
            }
            while (Interlocked.CompareExchange(ref _failures, left - 1, left) != left);
            return true;
        }

        public Task<T> ReadAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(work, cancellationToken);

        public Task<TimeSpan?> NextDueInAsync(WorkFilter filter, CancellationToken cancellationToken = default) =>
            inner.NextDueInAsync(filter, cancellationToken);

        public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            inner.WaitForWorkAsync(timeout, cancellationToken);
    }
}
