using System.Runtime.InteropServices;

namespace Bamboo.Cli.Commands;

/// <summary>
/// How the native build reaches what it cannot do itself (ASP.NET Core for <c>serve</c>, component assemblies loaded
/// at run time for <c>--components</c>): it replaces itself (execv) with the JIT build shipped beside it,
/// <c>jit/bamboo.dll</c>, run by the dotnet host with the same arguments. The process keeps its id, terminal, signals
/// and exit code, as if the JIT build had been started; nothing was opened before.
/// </summary>
internal static partial class JitHandoff
{
    /// <summary>Where the native build expects the JIT build: in <c>jit/</c> beside the executable (the tool package puts it there).</summary>
    public static string JitBuild => Path.Combine(AppContext.BaseDirectory, "jit", "bamboo.dll");

    /// <summary>Hands the command line to the JIT build; returns only when it cannot (with the exit code, having said why).</summary>
    public static int Exec(string feature)
    {
        var dll = JitBuild;
        if (!File.Exists(dll))
        {
            Console.Error.WriteLine($"{feature} needs the JIT build of bamboo, {dll}, which is not beside this native build: install the tool (dotnet tool install Bamboo.Cli)");
            return ExitCodes.Refused;
        }

        if (DotnetHost(Environment.GetEnvironmentVariable, IsRunnable) is not { } host)
        {
            Console.Error.WriteLine($"{feature} needs the .NET 10 runtime, and no dotnet host was found (DOTNET_HOST_PATH, DOTNET_ROOT, PATH)");
            return ExitCodes.Refused;
        }

        string?[] argv = [host, dll, .. Environment.GetCommandLineArgs().Skip(1), null];
        Console.Out.Flush();
        Execv(host, argv);
        var errno = Marshal.GetLastPInvokeError();
        Console.Error.WriteLine($"{feature}: cannot start {host}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        return ExitCodes.Refused;
    }

    /// <summary>A file that exists once links are followed (a dangling link does not) and that someone may execute.</summary>
    internal static bool IsRunnable(string path)
    {
        try
        {
            var target = File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;
            return File.Exists(target) && (OperatingSystem.IsWindows()
                || (File.GetUnixFileMode(target) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>The dotnet host to run the JIT build with: the one named by the environment, else the first on PATH, else a usual place.</summary>
    internal static string? DotnetHost(Func<string, string?> environment, Func<string, bool> exists)
    {
        var candidates = new List<string?> { environment("DOTNET_HOST_PATH") };
        if (environment("DOTNET_ROOT") is { Length: > 0 } root)
        {
            candidates.Add(Path.Combine(root, "dotnet"));
        }

        foreach (var dir in (environment("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            candidates.Add(Path.Combine(dir, "dotnet"));
        }

        candidates.AddRange(["/usr/share/dotnet/dotnet", "/usr/lib/dotnet/dotnet", "/usr/local/share/dotnet/dotnet"]);
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && Path.IsPathRooted(c) && exists(c));
    }

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Execv(string path, string?[] argv);
}
