using Spectre.Console;

namespace Bamboo.Cli.Commands;

/// <summary>
/// Writes Spectre.Console tables to <see cref="Console.Out"/> as it is now (tests capture it). On a terminal they fit
/// its width; elsewhere (a pipe, a file) no row wraps, whatever its length, so ids stay whole for scripts and pastes.
/// </summary>
internal static class Tables
{
    // Wide enough for any row the CLI prints: Spectre wraps cells at the console's width, 80 columns when redirected.
    private const int UnwrappedWidth = 4096;

    public static void Write(Table table)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Out),
            Ansi = TextTree.ColorOnStandardOutput ? AnsiSupport.Detect : AnsiSupport.No,
            ColorSystem = TextTree.ColorOnStandardOutput ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        });
        if (Console.IsOutputRedirected)
        {
            console.Profile.Width = UnwrappedWidth;
        }

        console.Write(table);
    }
}
