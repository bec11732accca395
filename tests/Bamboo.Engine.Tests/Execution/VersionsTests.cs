using System.Text.RegularExpressions;
using Bamboo.Engine.Execution;

namespace Bamboo.Engine.Tests.Execution;

public sealed partial class VersionsTests
{
    [GeneratedRegex("^v[0-9a-f]{32}$")]
    private static partial Regex Shape();

    [Fact]
    public void Versions_are_v_and_32_lowercase_hex_digits_and_do_not_repeat()
    {
        var seen = new HashSet<string>();
        for (var i = 0; i < 100_000; i++)
        {
            var version = Versions.New();
            Assert.Matches(Shape(), version);
            Assert.True(seen.Add(version), $"version {version} repeated");
        }
    }
}
