using System.Globalization;
using Bamboo.Engine.Api;

namespace Bamboo.Engine.Tests.Api;

public sealed class UtcTextTests
{
    [Theory]
    [InlineData(0L)]
    [InlineData(1L)]
    [InlineData(999L)]
    [InlineData(1_796_265_600_123L)]
    [InlineData(-62_135_596_800_000L)]
    [InlineData(253_402_300_799_999L)]
    public void UtcText_IsTheFormatTheQueriesAlwaysGave(long unixMs) =>
        Assert.Equal(
            DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            EngineApi.UtcText(unixMs));

    [Fact]
    public void UtcText_AgreesWithTheFormatString_OverAYearOfRandomInstants()
    {
        var random = new Random(7);
        for (var i = 0; i < 10_000; i++)
        {
            var ms = 1_767_225_600_000L + random.NextInt64(366L * 24 * 3600 * 1000);
            Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture), EngineApi.UtcText(ms));
        }
    }
}
