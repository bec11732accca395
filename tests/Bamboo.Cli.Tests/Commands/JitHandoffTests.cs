using Bamboo.Cli.Commands;

namespace Bamboo.Cli.Tests.Commands;

/// <summary>How the native build finds the dotnet host for the JIT build it hands serve and --components to.</summary>
public sealed class JitHandoffTests
{
    [Fact]
    public void DotnetHost_HostPathSet_IsThatHost()
    {
        var env = Env(("DOTNET_HOST_PATH", "/opt/sdk/dotnet"), ("DOTNET_ROOT", "/other"), ("PATH", "/usr/bin"));

        Assert.Equal("/opt/sdk/dotnet", JitHandoff.DotnetHost(env, _ => true));
    }

    [Fact]
    public void DotnetHost_RootSet_IsTheDotnetInIt()
    {
        var env = Env(("DOTNET_ROOT", "/opt/dotnet"), ("PATH", "/usr/bin"));

        Assert.Equal("/opt/dotnet/dotnet", JitHandoff.DotnetHost(env, path => path != "/usr/bin/dotnet"));
    }

    [Fact]
    public void DotnetHost_OnPath_IsTheFirstThatExists()
    {
        var env = Env(("PATH", "relative/bin:/a/bin:/b/bin"));

        Assert.Equal("/b/bin/dotnet", JitHandoff.DotnetHost(env, path => path is "/b/bin/dotnet" or "relative/bin/dotnet"));
    }

    [Fact]
    public void DotnetHost_NowhereToBeFound_IsNull()
    {
        Assert.Null(JitHandoff.DotnetHost(Env(("PATH", "/a:/b")), _ => false));
    }

    [Fact]
    public void DotnetHost_OnlyAUsualPlace_IsThatPlace()
    {
        Assert.Equal("/usr/lib/dotnet/dotnet", JitHandoff.DotnetHost(Env(), path => path == "/usr/lib/dotnet/dotnet"));
    }

    [Fact]
    public void IsRunnable_DanglingLinkOrNotExecutable_IsFalse()
    {
        var dir = Directory.CreateTempSubdirectory("bamboo-host-").FullName;
        try
        {
            var plain = Path.Combine(dir, "plain");
            File.WriteAllText(plain, "");
            var runnable = Path.Combine(dir, "runnable");
            File.WriteAllText(runnable, "");
            var dangling = Path.Combine(dir, "dangling");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(plain, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                File.SetUnixFileMode(runnable, UnixFileMode.UserRead | UnixFileMode.UserExecute);
                File.CreateSymbolicLink(dangling, Path.Combine(dir, "gone"));
                Assert.False(JitHandoff.IsRunnable(plain));
                Assert.False(JitHandoff.IsRunnable(dangling));
            }

            Assert.True(JitHandoff.IsRunnable(runnable));
            Assert.False(JitHandoff.IsRunnable(Path.Combine(dir, "absent")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ServeDefaultUrl_IsTheServersDefault()
    {
        // The native build names it without Bamboo.Server; the two must not drift apart.
        Assert.Equal(Bamboo.Server.BambooServerOptions.DefaultUrl, ServeCommand.DefaultUrl);
    }

    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;
}
