using System.Diagnostics;

namespace Bamboo.Cli.Tests;

/// <summary>
/// Runs the dotnet commands of the package tests. They build the projects under src/, so they share one collection and
/// never build at once.
/// </summary>
internal static class PackageBuilds
{
    public const string Collection = "package builds";

    // Packing the CLI compiles it natively (Native AOT): minutes on a busy two-core machine.
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    public static string RepositoryRoot()
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

    /// <summary>Runs a program to its end and returns its output; fails the test with that output if it exits non-zero.</summary>
    public static async Task<string> RunAsync(string workingDirectory, string program, string[] arguments, params (string Name, string Value)[] environment)
    {
        var (exitCode, text) = await RunToEndAsync(workingDirectory, program, arguments, environment);
        Assert.True(exitCode == 0, $"{program} {string.Join(' ', arguments)} exited {exitCode}:\n{text}");
        return text;
    }

    /// <summary>Runs a program to its end; returns its exit code and its output (standard output, then standard error).</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(string workingDirectory, string program, string[] arguments, params (string Name, string Value)[] environment)
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

        return (process.ExitCode, await output + await error);
    }
}
