using Bamboo.Engine;
using Bamboo.Engine.Api;
using Bamboo.Engine.Components;
using Bamboo.Engine.Components.Testkit;
using Bamboo.Engine.Exceptions;
using Bamboo.Engine.Runtime;

namespace Bamboo.Runtime.Tests.Api;

/// <summary>
/// run_pipeline when its node ids were taken by a run that then did not commit (it shared a commit that failed): no
/// committed run holds them, so the run is stored again instead of being refused for ids nobody has.
/// </summary>
public sealed class RunPipelineRetryTests : IDisposable
{
    private readonly TempDatabase _db = new("retry");

    public void Dispose() => _db.Dispose();

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, false)]
    public async Task RunPipeline_IdsTakenByARunThatWasUndone_StoresTheRunAgain(int undoneTakers, bool stored)
    {
        await using var sqlite = _db.OpenStore();
        var store = new UndoneTakers(sqlite, undoneTakers);
        var engine = new BambooEngine(store, new ComponentRegistry().AddTestkit());
        var (pipeline, _) = EngineHarness.OneActivity("debug_no_schedule_node");

        var result = await EngineApi.RunPipelineAsync(engine, pipeline);

        Assert.Equal(stored, result.Result);
        Assert.Equal(stored, await sqlite.ReadAsync(async tx => await tx.Runs.GetAsync(pipeline.Id) is not null));
        if (!stored)
        {
            Assert.IsType<InvalidOperationError>(result.Exception);
            Assert.Contains("try again", result.Message, StringComparison.Ordinal);
        }
    }

    /// <summary>A store whose first writes fail as if another run, undone since, had taken their ids.</summary>
    private sealed class UndoneTakers(IEngineStore inner, int failures) : IEngineStore
    {
        private int _failures = failures;

        public IWorkerRegistry Workers => inner.Workers;

        public Task<T> WriteAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default) =>
            Interlocked.Decrement(ref _failures) >= 0 ? Task.FromException<T>(new NodeIdsTakenException("undone")) : inner.WriteAsync(work, cancellationToken);

        public Task<T> ReadAsync<T>(Func<IStoreTransaction, ValueTask<T>> work, CancellationToken cancellationToken = default) => inner.ReadAsync(work, cancellationToken);

        public Task<TimeSpan?> NextDueInAsync(WorkFilter filter, CancellationToken cancellationToken = default) => inner.NextDueInAsync(filter, cancellationToken);

        public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => inner.WaitForWorkAsync(timeout, cancellationToken);
    }
}
