using System.Text.Json.Nodes;

namespace Bamboo.Cli.Tests;

/// <summary>
/// The CLI as users get it: <c>dotnet pack</c> makes the tool packages, <c>dotnet tool install --tool-path</c> installs
/// them, and the installed <c>bamboo</c> runs. The same steps as .ci/tool, in a temp folder. On linux-x64 the installed
/// command is the native build, which hands <c>serve</c> and <c>--components</c> to the JIT build in its jit/ folder.
/// </summary>
[Trait("Category", "Slow")]
[Collection(PackageBuilds.Collection)]
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-tool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task PackAndInstall_EveryKindOfCommand_Runs()
    {
        var repo = PackageBuilds.RepositoryRoot();
        var packages = Path.Combine(_dir, "nupkg");
        var tool = Path.Combine(_dir, "tool");
        var db = Path.Combine(_dir, "store.db");

        await PackageBuilds.RunAsync(repo, "dotnet", ["pack", Path.Combine("src", "Bamboo.Cli"), "-c", "Release", "-o", packages, "--disable-build-servers"]);
        // A packages folder of its own: the global one may hold an earlier build of the same version.
        await PackageBuilds.RunAsync(repo, "dotnet", ["tool", "install", "Bamboo.Cli", "--tool-path", tool, "--source", packages], ("NUGET_PACKAGES", Path.Combine(_dir, "packages")));
        var bamboo = Path.Combine(tool, OperatingSystem.IsWindows() ? "bamboo.exe" : "bamboo");
        if (OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64)
        {
            // The native executable itself, not the dotnet host's launcher of a dll.
            Assert.Equal("\u007fELF"u8.ToArray(), File.ReadAllBytes(bamboo)[..4]);
            Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(new FileInfo(bamboo).ResolveLinkTarget(true)?.FullName ?? bamboo)!, "bamboo.dll")));
        }

        var validated = await PackageBuilds.RunAsync(repo, bamboo, ["validate", Path.Combine("examples", "hello.json")]);
        var ran = await PackageBuilds.RunAsync(repo, bamboo, ["run", Path.Combine("examples", "hello.json"), "--db", db]);
        // A component from an assembly: loaded by the JIT build, on the same store.
        var shout = await PackageBuilds.RunAsync(repo, bamboo, ["run", ShoutTree(), "--db", db, "--components", typeof(Commands.ShoutService).Assembly.Location]);
        var shown = await PackageBuilds.RunAsync(repo, bamboo, ["show", "p_tool_a", "--db", db]);
        // The server's own check of its options answers: the JIT build runs serve (a bad token, so nothing listens).
        var (served, serveOutput) = await PackageBuilds.RunToEndAsync(repo, bamboo, ["serve", "--db", db, "--token", "no-role-here"]);

        Assert.Contains("valid: pipeline p_hello", validated, StringComparison.Ordinal);
        Assert.Contains("pipeline p_hello finished", ran, StringComparison.Ordinal);
        Assert.Contains("pipeline p_tool finished", shout, StringComparison.Ordinal);
        Assert.Contains("HELLO FROM A PLUGIN", shown, StringComparison.Ordinal);
        Assert.Equal(2, served);
        Assert.Contains("refused:", serveOutput, StringComparison.Ordinal);
        Assert.DoesNotContain("JIT build", serveOutput, StringComparison.Ordinal);
    }

    private string ShoutTree()
    {
        var tree = new JsonObject
        {
            ["id"] = "p_tool",
            ["start_event"] = new JsonObject { ["id"] = "p_tool_s", ["type"] = "EmptyStartEvent", ["incoming"] = "", ["outgoing"] = "p_tool_f1" },
            ["end_event"] = new JsonObject { ["id"] = "p_tool_e", ["type"] = "EmptyEndEvent", ["incoming"] = new JsonArray("p_tool_f2"), ["outgoing"] = "" },
            ["activities"] = new JsonObject
            {
                ["p_tool_a"] = new JsonObject
                {
                    ["id"] = "p_tool_a", ["type"] = "ServiceActivity", ["incoming"] = new JsonArray("p_tool_f1"), ["outgoing"] = "p_tool_f2",
                    ["component"] = new JsonObject
                    {
                        ["code"] = "shout",
                        ["inputs"] = new JsonObject { ["text"] = new JsonObject { ["type"] = "plain", ["value"] = "hello from a plugin" } },
                    },
                },
            },
            ["gateways"] = new JsonObject(),
            ["flows"] = new JsonObject
            {
                ["p_tool_f1"] = new JsonObject { ["id"] = "p_tool_f1", ["source"] = "p_tool_s", ["target"] = "p_tool_a", ["is_default"] = false },
                ["p_tool_f2"] = new JsonObject { ["id"] = "p_tool_f2", ["source"] = "p_tool_a", ["target"] = "p_tool_e", ["is_default"] = false },
            },
            ["data"] = new JsonObject { ["inputs"] = new JsonObject(), ["outputs"] = new JsonArray() },
        };
        var file = Path.Combine(_dir, "shout.json");
        File.WriteAllText(file, tree.ToJsonString());
        return file;
    }
}
