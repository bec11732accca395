namespace Bamboo.Runtime.Tests.Storage.Sqlite;

/// <summary>What the writer's connection is opened with.</summary>
public sealed class StoreSettingsTests
{
    [Theory]
    [InlineData(64, -64 * 1024)]
    [InlineData(8, -8 * 1024)]
    [InlineData(0, -1024)] // at least 1 MiB
    public async Task OpenStore_CacheSizeOption_SizesThePageCache(int mib, long pragma)
    {
        using var db = new TempDatabase("settings");

        await using var sut = db.OpenStore(cacheSizeMiB: mib);

        Assert.Equal(pragma, sut.WriterPragma("cache_size"));
    }

    [Fact]
    public async Task OpenStore_NewFile_IsAWriteAheadLogWithNormalSyncAndFourKiBPages()
    {
        using var db = new TempDatabase("settings");

        await using var sut = db.OpenStore();

        Assert.Equal(1L, sut.WriterPragma("synchronous"));
        Assert.Equal(4096L, sut.WriterPragma("page_size"));
        Assert.Equal("wal", db.Scalar("PRAGMA journal_mode"));
    }
}
