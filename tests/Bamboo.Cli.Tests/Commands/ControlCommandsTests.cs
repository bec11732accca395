namespace Bamboo.Cli.Tests.Commands;

[Collection("console")]
public sealed class ControlCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-control-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Db => Path.Combine(_dir, "store.db");

    private static string Example(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException(name);
    }

    private Task<int> Bamboo(params string[] args) => CliApp.Build().Parse([.. args, "--db", Db]).InvokeAsync(cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public async Task Retry_FailedNodeWithNewInputs_FinishesThePipeline()
    {
        Assert.Equal(1, await Bamboo("run", Example("failing.json")));

        Assert.Equal(0, await Bamboo("retry", "fl_check", "--data", """{"bit": 1}"""));
        Assert.Equal(2, await Bamboo("retry", "fl_check"));
    }

    [Fact]
    public async Task Skip_FailedNode_FinishesThePipeline()
    {
        Assert.Equal(1, await Bamboo("run", Example("failing.json")));

        Assert.Equal(0, await Bamboo("skip", "fl_check"));
        Assert.Equal(2, await Bamboo("skip", "fl_check"));
    }

    [Fact]
    public async Task PauseResumeRevoke_OnFinishedPipeline_AreRefused()
    {
        Assert.Equal(0, await Bamboo("run", Example("hello.json")));

        Assert.Equal(2, await Bamboo("pause", "p_hello"));
        Assert.Equal(2, await Bamboo("resume", "p_hello"));
        Assert.Equal(2, await Bamboo("revoke", "p_hello"));
        Assert.Equal(2, await Bamboo("callback", "hello_greet", "--data", "{}"));
    }

    [Fact]
    public async Task Retry_BadData_ExitsTwo()
    {
        Assert.Equal(1, await Bamboo("run", Example("failing.json")));

        Assert.Equal(2, await Bamboo("retry", "fl_check", "--data", "[1]"));
    }
}
