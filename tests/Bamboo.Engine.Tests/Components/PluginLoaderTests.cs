using System.Reflection;
using Bamboo.Engine.Components;
using Bamboo.Engine.Exceptions;

namespace Bamboo.Engine.Tests.Components;

/// <summary>Component assemblies that cannot be read are reported as such, naming the file.</summary>
public sealed class PluginLoaderTests
{
    [Fact]
    public void AddFrom_TypesNeedAMissingDependency_NamesTheComponentsFile()
    {
        // What a plugin DLL copied without its dependencies does: reading its types needs an assembly nowhere to be found.
        var assembly = new MissingDependencyAssembly();

        var error = Assert.Throws<BambooException>(() => new ComponentRegistry().AddFrom(assembly, "/plugins/Lone.dll"));

        Assert.Contains("cannot load components from '/plugins/Lone.dll'", error.Message, StringComparison.Ordinal);
        Assert.Contains("xunit.v3.core", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("/no/such/folder/Plugin.dll")]
    public void AddFromAssembly_NoSuchFile_NamesIt(string path)
    {
        var error = Assert.Throws<BambooException>(() => new ComponentRegistry().AddFromAssembly(path));

        Assert.Contains($"cannot load components from '{path}'", error.Message, StringComparison.Ordinal);
    }

    private sealed class MissingDependencyAssembly : Assembly
    {
        public override Type[] GetExportedTypes() =>
            throw new FileNotFoundException("Could not load file or assembly 'xunit.v3.core, Version=3.2.0.0'.");
    }
}
