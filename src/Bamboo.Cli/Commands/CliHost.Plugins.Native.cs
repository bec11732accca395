using Bamboo.Engine.Components;

namespace Bamboo.Cli.Commands;

/// <summary>
/// <c>--components</c> in the native build, which cannot load assemblies: the JIT build beside it runs the command
/// instead. Every command reads its components before it opens anything.
/// </summary>
internal sealed partial class CliHost
{
    private static void AddPlugins(ComponentRegistry registry, List<string> files) =>
        Environment.Exit(JitHandoff.Exec("--components " + files[0]));
}
