using Bamboo.Cli.Commands;

namespace Bamboo.Cli.Tests.Commands;

/// <summary>What <c>bamboo conformance</c> says when it is pointed at the wrong thing: one line each, never a crash.</summary>
[Collection("console")]
public sealed class ConformanceCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-conformance-").FullName;
    private readonly TextWriter _out = Console.Out;
    private readonly TextWriter _err = Console.Error;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private async Task<(int Code, string Out, string Err)> RunAsync(string path, string runtime = "sqlite", string? connection = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            var code = await ConformanceCommand.RunAsync([path], runtime, connection, [], TestContext.Current.CancellationToken);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(_out);
            Console.SetError(_err);
        }
    }

    [Fact]
    public async Task RunAsync_AFileThatIsNotAScenario_FailsItSayingWhy()
    {
        var tree = Path.Combine(_dir, "tree.json");
        await File.WriteAllTextAsync(tree, """{"id": "p", "start_event": {}}""", TestContext.Current.CancellationToken);

        var (code, output, _) = await RunAsync(tree);

        Assert.Equal(1, code);
        Assert.Contains("FAILED  " + tree + ": not a conformance scenario: it has no \"steps\" array", output, StringComparison.Ordinal);
        Assert.Contains("0 passed, 1 failed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_AFolderWithoutScenarios_IsRefusedNotPassed()
    {
        var (code, output, error) = await RunAsync(_dir);

        Assert.Equal(2, code);
        Assert.Equal($"no scenario files (*.json) in {_dir}", error.Trim());
        Assert.DoesNotContain("passed", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_MalformedConnectionString_IsRefusedInOneLine()
    {
        var (code, _, error) = await RunAsync(_dir, "postgres", "Foo=bar");

        Assert.Equal(2, code);
        Assert.Equal("--connection: the PostgreSQL connection string is not valid: Couldn't set foo", error.Trim());
    }
}
