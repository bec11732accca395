namespace Bamboo.Cli.Tests;

/// <summary>
/// The CLI as users get it: <c>dotnet pack</c> makes the tool packages, <c>dotnet tool install --tool-path</c> installs
/// them, and the installed <c>bamboo</c> runs. The same steps as .ci/tool, in a temp folder.
/// </summary>
[Trait("Category", "Slow")]
[Collection(PackageBuilds.Collection)]
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-tool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task PackAndInstall_ValidateHello_ExitsZero()
    {
        var repo = PackageBuilds.RepositoryRoot();
        var packages = Path.Combine(_dir, "nupkg");
        var tool = Path.Combine(_dir, "tool");

        await PackageBuilds.RunAsync(repo, "dotnet", ["pack", Path.Combine("src", "Bamboo.Cli"), "-c", "Release", "-o", packages, "--disable-build-servers"]);
        // A packages folder of its own: the global one may hold an earlier build of the same version.
        await PackageBuilds.RunAsync(repo, "dotnet", ["tool", "install", "Bamboo.Cli", "--tool-path", tool, "--source", packages], ("NUGET_PACKAGES", Path.Combine(_dir, "packages")));
        var output = await PackageBuilds.RunAsync(repo, Path.Combine(tool, OperatingSystem.IsWindows() ? "bamboo.exe" : "bamboo"), ["validate", Path.Combine("examples", "hello.json")]);

        Assert.Contains("valid: pipeline p_hello", output, StringComparison.Ordinal);
    }
}
