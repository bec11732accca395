using Bamboo.Engine.Building;
using Bamboo.Engine.Execution;

namespace Bamboo.Engine.Tests.Execution;

public sealed class CompiledPipelineCacheTests
{
    private static Bamboo.Engine.Model.Pipeline Tree()
    {
        var start = new EmptyStartEvent();
        start.Extend(new EmptyEndEvent());
        return PipelineBuilder.BuildTree(start);
    }

    private static CompiledPipeline Compiled(Bamboo.Engine.Model.Pipeline? tree = null) => CompiledPipeline.Compile(tree ?? Tree(), []);

    [Fact]
    public async Task A_second_tree_under_a_cached_root_id_does_not_replace_the_first()
    {
        var cache = new CompiledPipelineCache();
        var first = Compiled();
        cache.Add(first);
        var copy = first.Pipelines[first.RootId].Pipeline.Source.DeepClone().AsObject();
        copy["name"] = "a different tree under the same root id";
        var second = Compiled(Bamboo.Engine.Model.Pipeline.Parse(copy.ToJsonString()));
        Assert.Equal(first.RootId, second.RootId);

        cache.Add(second);
        cache.Remove(second);

        // Found without asking a store: a transaction that is never given cannot be asked.
        Assert.Same(first, await cache.FindAsync(null!, first.RootId));
    }

    [Fact]
    public void The_count_follows_adds_replacements_and_removals_and_a_full_cache_starts_over()
    {
        var cache = new CompiledPipelineCache();
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
