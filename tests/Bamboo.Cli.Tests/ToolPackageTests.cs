using System.Diagnostics;

namespace Bamboo.Cli.Tests;

/// <summary>
/// The CLI as users get it: <c>dotnet pack</c> makes the tool packages, <c>dotnet tool install --tool-path</c> installs
/// them, and the installed <c>bamboo</c> runs. The same steps as .ci/tool, in a temp folder.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ToolPackageTests : IDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(3);

    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-tool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bamboo.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("Bamboo.slnx not found above " + AppContext.BaseDirectory);
    }

    [Fact]
    public async Task PackAndInstall_ValidateHello_ExitsZero()
    {
        var repo = RepositoryRoot();
        var packages = Path.Combine(_dir, "nupkg");
        var tool = Path.Combine(_dir, "tool");

        await RunAsync(repo, "dotnet", ["pack", Path.Combine("src", "Bamboo.Cli"), "-c", "Release", "-o", packages, "--disable-build-servers"]);
        // A packages folder of its own: the global one may hold an earlier build of the same version.
        await RunAsync(repo, "dotnet", ["tool", "install", "Bamboo.Cli", "--tool-path", tool, "--source", packages], ("NUGET_PACKAGES", Path.Combine(_dir, "packages")));
        var output = await RunAsync(repo, Path.Combine(tool, OperatingSystem.IsWindows() ? "bamboo.exe" : "bamboo"), ["validate", Path.Combine("examples", "hello.json")]);

        Assert.Contains("valid: pipeline p_hello", output, StringComparison.Ordinal);
    }

    /// <summary>Runs a program to its end and returns its output; fails the test with that output if it exits non-zero.</summary>
    private static async Task<string> RunAsync(string workingDirectory, string program, string[] arguments, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        // The test host runs under dotnet test, whose MSBuild settings would steer the nested build.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(StepTimeout);
        var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var error = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = await output + await error;
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{text}");
        return text;
    }
}
