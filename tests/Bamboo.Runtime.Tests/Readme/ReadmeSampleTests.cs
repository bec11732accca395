namespace Bamboo.Runtime.Tests.Readme;

public sealed class ReadmeSampleTests : IDisposable
{
    private readonly TempDatabase _temp = new("readme");

    public void Dispose() => _temp.Dispose();

    private static string RepoFile(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bamboo.slnx")))
            {
                return Path.Combine(dir.FullName, name);
            }
        }

        throw new FileNotFoundException(name);
    }

    private static string Sample()
    {
        var text = File.ReadAllText(RepoFile("tests/Bamboo.Runtime.Tests/Readme/LibrarySample.cs"));
        var start = text.IndexOf("// README-SAMPLE-START", StringComparison.Ordinal);
        var end = text.IndexOf("// README-SAMPLE-END", StringComparison.Ordinal);
        return text[(text.IndexOf('\n', start) + 1)..end].Trim();
    }

    [Fact]
    public async Task LibrarySample_Runs_AndGreets()
    {
        var greeting = await LibrarySample.RunAsync(_temp.Path, TestContext.Current.CancellationToken);

        Assert.Equal("hello world", greeting?.GetValue<string>());
    }

    [Fact]
    public async Task LibrarySample_RunTwiceOnOneStore_SecondRefusedAndItsHostStopped()
    {
        await LibrarySample.RunAsync(_temp.Path, TestContext.Current.CancellationToken);

        var again = await Assert.ThrowsAsync<InvalidOperationException>(() => LibrarySample.RunAsync(_temp.Path, TestContext.Current.CancellationToken));

        Assert.Contains("already", again.Message, StringComparison.Ordinal);
        // The first host stopped on its way out, so a third one opens the store and reads the first run.
        Assert.Equal("hello world", (await LibraryStoreReadAsync())?.GetValue<string>());
    }

    private async Task<System.Text.Json.Nodes.JsonNode?> LibraryStoreReadAsync()
    {
        await using var store = new Bamboo.Runtime.Sqlite.SqliteStore(new Bamboo.Runtime.Sqlite.SqliteStoreOptions { DatabasePath = _temp.Path });
        var data = await store.ReadAsync(tx => tx.Data.GetExecutionDataAsync("greet_world"));
        return data?.Outputs["greeting"];
    }

    [Fact]
    public void Readme_ShowsTheLibrarySample_Verbatim()
    {
        var readme = File.ReadAllText(RepoFile("README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

        Assert.Contains(Sample(), readme, StringComparison.Ordinal);
    }
}
