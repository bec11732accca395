using Bamboo.Engine.Components;

namespace Bamboo.Cli.Commands;

/// <summary>Component assemblies (<c>--components</c>), loaded at run time: the JIT build only.</summary>
internal sealed partial class CliHost
{
    private static void AddPlugins(ComponentRegistry registry, List<string> files)
    {
        foreach (var file in files)
        {
            registry.AddFromAssembly(file);
        }
    }
}
