using System.Text;
using System.Text.RegularExpressions;

namespace Bamboo.Cli.Tests;

/// <summary>Replays the README's CLI walkthrough on a fresh store: every line, with the exit code its comment says.</summary>
[Collection("console")]
public sealed partial class ReadmeWalkthroughTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("bamboo-walkthrough-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [GeneratedRegex(@"^bamboo (?<args>.*?)\s+# exit (?<code>\d)")]
    private static partial Regex Line();

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bamboo.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("the repository's root");
    }

    /// <summary>Splits a shell line into words: blanks separate, single quotes keep what is inside as it is.</summary>
    private static List<string> Words(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        var any = false;
        foreach (var c in line)
        {
            if (c == '\'')
            {
                quoted = !quoted;
                any = true;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (any)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    any = false;
                }
            }
            else
            {
                word.Append(c);
                any = true;
            }
        }

        if (any)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static async Task<int> BambooAsync(string[] args)
    {
        var original = (Console.Out, Console.Error);
        Console.SetOut(TextWriter.Null);
        Console.SetError(TextWriter.Null);
        try
        {
            // On the thread pool: the entry point blocks on the async Main, which must not wait for this test's context.
            var main = typeof(CliApp).Assembly.EntryPoint!;
            return await Task.Run(() => (int)main.Invoke(null, [args])!);
        }
        finally
        {
            Console.SetOut(original.Out);
            Console.SetError(original.Error);
        }
    }

    [Fact]
    public async Task Readme_Walkthrough_EveryLineExitsAsItSays()
    {
        var root = RepoRoot();
        var readme = await File.ReadAllLinesAsync(Path.Combine(root, "README.md"));
        var start = Array.FindIndex(readme, l => l.StartsWith("A walkthrough on a fresh store", StringComparison.Ordinal));
        Assert.True(start >= 0, "the README has its CLI walkthrough");
        var lines = readme.Skip(start).SkipWhile(l => l != "```bash").Skip(1).TakeWhile(l => l != "```").ToList();
        Assert.NotEmpty(lines);
        var db = Path.Combine(_dir, "store.db");

        foreach (var line in lines)
        {
            var match = Line().Match(line);
            Assert.True(match.Success, $"not a walkthrough line: {line}");
            var args = Words(match.Groups["args"].Value).Select(w => w.StartsWith("examples/", StringComparison.Ordinal) ? Path.Combine(root, w) : w).ToList();

            var code = await BambooAsync([.. args, "--db", db]);

            Assert.True(int.Parse(match.Groups["code"].Value, System.Globalization.CultureInfo.InvariantCulture) == code, $"bamboo {match.Groups["args"].Value} exited {code}");
        }
    }

    [Theory]
    [InlineData("run")]
    [InlineData("list", "--no-such-option")]
    [InlineData("retry")]
    [InlineData("no-such-command")]
    public async Task UsageError_ExitsTwo(params string[] args)
    {
        Assert.Equal(2, await BambooAsync([.. args, "--db", Path.Combine(_dir, "store.db")]));
    }
}
