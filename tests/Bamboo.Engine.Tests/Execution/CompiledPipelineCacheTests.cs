using Bamboo.Engine.Building;
using Bamboo.Engine.Components;
using Bamboo.Engine.Execution;
using Bamboo.Engine.Runtime;

namespace Bamboo.Engine.Tests.Execution;

public sealed class CompiledPipelineCacheTests
{
    /// <summary>Only what the cache reads: the components. It never opens a transaction in these tests.</summary>
    private sealed class NoStore : IEngineRuntime
    {
        public ComponentRegistry Components { get; } = new();

        public TimeProvider Time => TimeProvider.System;

        public EngineOptions Options { get; } = new();

        public Task<T> TransactAsync<T>(Func<IStepTransaction, T> work, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<T> ReadAsync<T>(Func<IStepTransaction, T> work, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task RenewLeasesAsync(string owner, TimeSpan lease, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<long?> NextDueAtAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private static Bamboo.Engine.Model.Pipeline Tree()
    {
        var start = new EmptyStartEvent();
        start.Extend(new EmptyEndEvent());
        return PipelineBuilder.BuildTree(start);
    }

    private static CompiledPipeline Compiled(Bamboo.Engine.Model.Pipeline? tree = null) => CompiledPipeline.Compile(tree ?? Tree(), []);

    [Fact]
    public void The_count_follows_adds_replacements_and_removals_and_a_full_cache_starts_over()
    {
        var cache = CompiledPipelineCache.Of(new NoStore());
        var tree = Tree();
        var first = Compiled(tree);
        cache.Add(first);
        cache.Add(first);
        Assert.Equal(1, cache.Count);

        // Removing another compiled object under the same root id leaves the cached one.
        var other = Compiled(tree);
        Assert.Equal(first.RootId, other.RootId);
        cache.Remove(other);
        Assert.Equal(1, cache.Count);
        cache.Remove(first);
        Assert.Equal(0, cache.Count);

        for (var i = 0; i < CompiledPipelineCache.Capacity; i++)
        {
            cache.Add(Compiled());
        }

        Assert.Equal(CompiledPipelineCache.Capacity, cache.Count);
        cache.Add(Compiled());
        Assert.Equal(1, cache.Count);
    }
}
