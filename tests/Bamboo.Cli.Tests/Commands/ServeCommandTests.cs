using System.Net;
using System.Net.Sockets;

namespace Bamboo.Cli.Tests.Commands;

/// <summary><c>bamboo serve</c> as its own process: what a user sees when it cannot start.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-serve-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Serve_PortTaken_SaysSoInOneLineAndStopsItsWorkersCleanly()
    {
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;
        var bamboo = Path.Combine(AppContext.BaseDirectory, "bamboo.dll");

        var (code, output) = await PackageBuilds.RunToEndAsync(_dir, "dotnet",
            [bamboo, "serve", "--urls", $"http://127.0.0.1:{port}", "--db", Path.Combine(_dir, "store.db")], ("HOME", _dir))
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(2, code);
        Assert.Contains($"cannot listen: Failed to bind to address http://127.0.0.1:{port}: address already in use.", output, StringComparison.Ordinal);
        // No stack trace, and the workers that started before the listener did not outlive the store.
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("warn:", output, StringComparison.Ordinal);
        // Nor the host's own lines, which the command says in its words.
        Assert.DoesNotContain("Application is shutting down", output, StringComparison.Ordinal);
    }
}
