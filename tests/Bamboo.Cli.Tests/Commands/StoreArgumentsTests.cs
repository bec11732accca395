using System.CommandLine;
using Bamboo.Cli.Commands;

namespace Bamboo.Cli.Tests.Commands;

/// <summary>Which store flags the hints a command prints carry on.</summary>
public sealed class StoreArgumentsTests
{
    private static StoreLocation Parse(params string[] args)
    {
        var store = new StoreArguments();
        var command = new RootCommand();
        store.AddTo(command);
        return store.Get(command.Parse(args));
    }

    [Fact]
    public void Flags_DefaultStore_NoneSinceTheNextCommandFindsItToo() =>
        Assert.Equal("", Parse().Flags);

    [Theory]
    [InlineData("runs.db", " --db runs.db")]
    [InlineData("/tmp/my runs/a.db", " --db '/tmp/my runs/a.db'")]
    [InlineData("it's.db", " --db 'it'\\''s.db'")]
    [InlineData(".bamboo/bamboo.db", " --db .bamboo/bamboo.db")]
    public void Flags_DbGiven_PassedOnAsOneShellWord(string db, string flags) =>
        Assert.Equal(flags, Parse("--db", db).Flags);

    [Fact]
    public void Flags_PostgresGiven_APlaceholderNeverThePassword()
    {
        var location = Parse("--postgres", "Host=db;Username=u;Password=secret");

        Assert.Equal(" --postgres '<connection>'", location.Flags);
        Assert.DoesNotContain("secret", location.ToString(), StringComparison.Ordinal);
    }
}
