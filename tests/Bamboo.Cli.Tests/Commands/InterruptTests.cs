using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Bamboo.Cli.Tests.Commands;

/// <summary>Ctrl-C on <c>bamboo run</c> as its own process: once stops it gently, twice quits at once.</summary>
public sealed class InterruptTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-interrupt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_CtrlCTwiceWhileAServiceRuns_QuitsAtOnceWith130()
    {
        var (process, started) = await StartSlowRunAsync();
        using (process)
        {
            await started.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
            var stopping = new TaskCompletionSource();
            var err = new System.Text.StringBuilder();
            var errRead = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    err.AppendLine(line);
                    if (line.StartsWith("stopping:", StringComparison.Ordinal))
                    {
                        stopping.TrySetResult();
                    }
                }
            });
            // The first Ctrl-C once the service is in flight (it starts within moments of the run), so there is a grace to cut.
            await Task.Delay(1500, TestContext.Current.CancellationToken);
            await SignalAsync(process, "INT");
            // The service has a minute left and the grace is ten seconds: only the second Ctrl-C ends it this soon.
            await stopping.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            // A second signal within half a second counts as the same press (a wrapper forwarding it): this is a second one.
            await Task.Delay(700, TestContext.Current.CancellationToken);
            var waited = Stopwatch.StartNew();
            await SignalAsync(process, "INT");
            await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            await errRead;

            Assert.Equal(130, process.ExitCode);
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(8), $"took {waited.Elapsed} to quit after the second Ctrl-C");
            Assert.Contains("quitting at once", err.ToString(), StringComparison.Ordinal);
        }
    }

    /// <summary>bamboo run on a tree whose first activity waits a minute; completes when the run has started.</summary>
    private async Task<(Process Process, Task Started)> StartSlowRunAsync()
    {
        var tree = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(PackageBuilds.RepositoryRoot(), "examples", "hello.json"), TestContext.Current.CancellationToken))!;
        tree["activities"]!["hello_greet"]!["component"] = new JsonObject
        {
            ["code"] = "delay",
            ["inputs"] = new JsonObject { ["ms"] = new JsonObject { ["type"] = "plain", ["value"] = 60_000 } },
        };
        var file = Path.Combine(_dir, "slow.json");
        await File.WriteAllTextAsync(file, tree.ToJsonString(), TestContext.Current.CancellationToken);
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "bamboo.dll"), "run", file, "--db", Path.Combine(_dir, "store.db")])
        {
            WorkingDirectory = _dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        var started = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                if (line.StartsWith("started ", StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync();
                    return;
                }
            }

            throw new InvalidOperationException("bamboo run ended before it started the run");
        });
        return (process, started);
    }

    private static async Task SignalAsync(Process process, string signal)
    {
        using var kill = Process.Start("kill", ["-" + signal, process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
        await kill.WaitForExitAsync();
    }
}
