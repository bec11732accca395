using System.Text.RegularExpressions;

namespace Bamboo.Cli.Tests;

/// <summary>
/// The library as the README tells users to get it: <c>dotnet pack</c> makes the packages, and a new project that lists
/// only the packages the README names builds and runs the README's sample. Restored offline: the packs, and the global
/// packages folder (which holds every third-party package this repository restored) as a second source.
/// </summary>
[Trait("Category", "Slow")]
[Collection(PackageBuilds.Collection)]
public sealed partial class LibraryPackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-library-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex("""<PackageVersion Include="Microsoft\.Extensions\.Hosting" Version="([^"]+)" />""")]
    private static partial Regex HostingVersion();

    [Fact]
    public async Task PackedLibraries_ReadmeSample_BuildsAndRunsWithThePackagesItLists()
    {
        var repo = PackageBuilds.RepositoryRoot();
        var packs = Path.Combine(_dir, "nupkg");
        foreach (var project in new[] { "Bamboo.Engine", "Bamboo.Runtime.Relational", "Bamboo.Runtime.Sqlite" })
        {
            await PackageBuilds.RunAsync(repo, "dotnet", ["pack", Path.Combine("src", project), "-c", "Release", "-o", packs, "--disable-build-servers"]);
        }

        var readme = await File.ReadAllTextAsync(Path.Combine(repo, "README.md"), TestContext.Current.CancellationToken);
        var sampleAt = readme.IndexOf("```csharp\n", readme.IndexOf("## Library", StringComparison.Ordinal), StringComparison.Ordinal) + "```csharp\n".Length;
        var sample = readme[sampleAt..readme.IndexOf("```", sampleAt, StringComparison.Ordinal)];
        var hosting = HostingVersion().Match(await File.ReadAllTextAsync(Path.Combine(repo, "Directory.Packages.props"), TestContext.Current.CancellationToken)).Groups[1].Value;
        var app = Path.Combine(_dir, "app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Bamboo.Runtime.Sqlite" Version="0.1.0" />
                <PackageReference Include="Microsoft.Extensions.Hosting" Version="{hosting}" />
              </ItemGroup>
            </Project>
            """, TestContext.Current.CancellationToken);
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } set
            ? set
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        await File.WriteAllTextAsync(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources>
                <clear />
                <add key="bamboo" value="{packs}" />
                <add key="restored" value="{globalPackages}" />
              </packageSources>
            </configuration>
            """, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(app, "Sample.cs"), sample, TestContext.Current.CancellationToken);
        await File.WriteAllTextAsync(Path.Combine(app, "Program.cs"), """
            var store = Path.Combine(AppContext.BaseDirectory, "store.db");
            Console.WriteLine(await Bamboo.Runtime.Tests.Readme.LibrarySample.RunAsync(store, CancellationToken.None));
            Console.WriteLine(await Bamboo.Runtime.Tests.Readme.LibrarySample.RunAsync(store, CancellationToken.None));
            """, TestContext.Current.CancellationToken);

        // A packages folder of its own: the global one may hold an earlier build of the same version.
        var output = await PackageBuilds.RunAsync(app, "dotnet", ["run", "-c", "Release", "--disable-build-servers"], ("NUGET_PACKAGES", Path.Combine(_dir, "packages")));

        Assert.Equal(2, Regex.Count(output, "^hello world$", RegexOptions.Multiline));
    }
}
