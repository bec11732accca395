using System.Diagnostics;
using System.Text;

namespace Bamboo.Runtime.Tests.Probes;

/// <summary>The bamboo CLI in a process of its own, with this test assembly's probe components loaded.</summary>
internal sealed class CliProcess : IDisposable
{
    private readonly StringBuilder _output = new();

    private CliProcess(Process process)
    {
        Process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    /// <summary>Everything the process printed so far, stdout and stderr interleaved.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>Starts <c>bamboo ARGS... --components Bamboo.Runtime.Tests.dll</c>.</summary>
    public static CliProcess Start(params string[] args)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "bamboo.dll");
        var host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var info = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(cli);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add("--components");
        info.ArgumentList.Add(typeof(ProbeService).Assembly.Location);
        return new CliProcess(Process.Start(info)!);
    }

    /// <summary>Waits for the exit and returns the exit code; fails the test with the output on a timeout.</summary>
    public async Task<int> ExitCodeAsync(TimeSpan timeout)
    {
        try
        {
            await Process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"bamboo {string.Join(' ', Process.StartInfo.ArgumentList.Skip(1))} did not exit within {timeout}; output:\n{Output}");
        }

        Process.WaitForExit();
        return Process.ExitCode;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
    }
}
