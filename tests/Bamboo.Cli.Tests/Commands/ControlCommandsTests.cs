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
    public async Task Retry_LongAfterTheFailure_RunsIt()
    {
        Assert.Equal(1, await Bamboo("run", Example("failing.json")));
        // An operator who comes back later: the run's last change is an hour old. The verb's own workers must count
        // as running before it reads the run, or it says that no worker runs and leaves the retried node READY.
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            connection.Open();
            using var age = connection.CreateCommand();
            age.CommandText = "UPDATE states SET created_time = created_time - 3600000, started_time = started_time - 3600000, archived_time = archived_time - 3600000";
            age.ExecuteNonQuery();
        }

        Assert.Equal(0, await Bamboo("retry", "fl_check", "--data", """{"bit": 1}"""));

        using var check = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Pooling=False");
        check.Open();
        using var root = check.CreateCommand();
        root.CommandText = "SELECT name FROM states WHERE node_id = 'p_failing'";
        Assert.Equal("FINISHED", root.ExecuteScalar());
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
