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
    public async Task LibrarySample_RunTwiceOnOneStore_BothGreet()
    {
        var first = await LibrarySample.RunAsync(_temp.Path, TestContext.Current.CancellationToken);
        var second = await LibrarySample.RunAsync(_temp.Path, TestContext.Current.CancellationToken);

        Assert.Equal(["hello world", "hello world"], new[] { first, second }.Select(g => g?.GetValue<string>()));
        Assert.Equal(2, TempDatabase.Count(_temp.Path, "SELECT COUNT(*) FROM runs"));
    }

    [Fact]
    public void Readme_ShowsTheLibrarySample_Verbatim()
    {
        var readme = File.ReadAllText(RepoFile("README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);

        Assert.Contains(Sample(), readme, StringComparison.Ordinal);
    }
}
