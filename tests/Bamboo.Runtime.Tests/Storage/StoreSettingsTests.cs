namespace Bamboo.Runtime.Tests.Storage;

/// <summary>What the writer's connection is opened with.</summary>
public sealed class StoreSettingsTests
{
    [Theory]
    [InlineData(64, -64 * 1024)]
    [InlineData(8, -8 * 1024)]
    [InlineData(0, -1024)] // at least 1 MiB
    public async Task The_page_cache_is_sized_from_the_options(int mib, long pragma)
    {
        using var db = new TempDatabase("settings");
        await using var runtime = db.OpenRuntime(cacheSizeMiB: mib);
        Assert.Equal(pragma, runtime.WriterPragma("cache_size"));
    }

    [Fact]
    public async Task The_store_is_a_write_ahead_log_with_normal_sync()
    {
        using var db = new TempDatabase("settings");
        await using var runtime = db.OpenRuntime();
        Assert.Equal(1L, runtime.WriterPragma("synchronous"));
        Assert.Equal(4096L, runtime.WriterPragma("page_size"));
    }
}
