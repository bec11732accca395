using Bamboo.Cli.Commands;

namespace Bamboo.Cli.Tests.Commands;

public sealed class TimeArgumentTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 9, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("90s", "2026-12-03T09:28:30Z")]
    [InlineData("30m", "2026-12-03T09:00:00Z")]
    [InlineData(" 2h ", "2026-12-03T07:30:00Z")]
    [InlineData("7d", "2026-11-26T09:30:00Z")]
    [InlineData("2026-12-01", "2026-12-01T00:00:00Z")]
    [InlineData("2026-12-01T08:15", "2026-12-01T08:15:00Z")]
    [InlineData("2026-12-01T08:15:00+08:00", "2026-12-01T00:15:00Z")]
    public void TryParse_AnAgeOrAnIsoTime_IsThatInstant(string text, string expected)
    {
        Assert.True(TimeArgument.TryParse(text, Now, out var value));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), value);
    }

    [Theory]
    [InlineData("yesterday")]
    [InlineData("")]
    [InlineData("h")]
    [InlineData("-2h")]
    [InlineData("2w")]
    [InlineData("99999999999999999d")]
    [InlineData("9999999999d")]
    public void TryParse_NotATime_False(string text) => Assert.False(TimeArgument.TryParse(text, Now, out _));

    [Fact]
    public void Format_IsUtcIsoWithMillisecondsAndParsesBack()
    {
        var time = new DateTimeOffset(2026, 12, 3, 17, 5, 6, 789, TimeSpan.FromHours(8));

        Assert.Equal("2026-12-03T09:05:06.789Z", TimeArgument.Format(time));
        Assert.True(TimeArgument.TryParse(TimeArgument.Format(time), Now, out var back));
        Assert.Equal(time, back);
    }
}
