using Microsoft.Extensions.Options;

namespace Bamboo.Server.Tests;

/// <summary>What the server refuses to start with.</summary>
public sealed class StartupTests
{
    [Theory]
    [InlineData("http://0.0.0.0:5080")]
    [InlineData("http://*:5080")]
    [InlineData("http://192.0.2.10:5080")]
    [InlineData("http://127.0.0.1:5080;http://[::]:5081")]
    public async Task Start_OpenAddressWithoutToken_RefusesNamingTheAddress(string urls)
    {
        await using var server = new ServerFactory(tokens: false, settings: new Dictionary<string, string?> { ["urls"] = urls });

        var refused = Assert.Throws<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains("no token is set", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:abc")]
    [InlineData("http://127.0.0.1:")]
    [InlineData("http://localhost:abc")]
    [InlineData("http://127.0.0.1:99999")]
    [InlineData("http://[::1:5080")]
    [InlineData("127.0.0.1:5080")]
    [InlineData("ftp://127.0.0.1:5080")]
    public async Task Start_AddressKestrelCannotRead_RefusesNamingIt(string urls)
    {
        // Kestrel falls back to every address, port 80, for what it cannot read: with no token, that was an open server.
        await using var server = new ServerFactory(tokens: true, settings: new Dictionary<string, string?> { ["urls"] = urls });

        var refused = Assert.Throws<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains(urls, refused.Message, StringComparison.Ordinal);
        Assert.Contains("not an address to listen on", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_MalformedAddressWithoutToken_RefusedOnceForTheAddress()
    {
        await using var server = new ServerFactory(tokens: false, settings: new Dictionary<string, string?> { ["urls"] = "notaurl" });

        var refused = Assert.Throws<OptionsValidationException>(() => server.CreateClient());

        // Not also "reachable from other machines": it is not an address at all.
        Assert.Equal(["notaurl: not an address to listen on: use http://HOST:PORT or https://HOST:PORT, with a port from 0 to 65535"], refused.Failures);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5080")]
    [InlineData("http://localhost:5080")]
    [InlineData("http://[::1]:5080")]
    public async Task Start_LoopbackWithoutToken_Starts(string urls)
    {
        await using var server = new ServerFactory(tokens: false, settings: new Dictionary<string, string?> { ["urls"] = urls });

        Assert.Equal("alive", (string?)(await server.Client().GetJsonAsync("/health"))["status"]);
    }

    [Fact]
    public async Task Start_OpenAddressWithToken_Starts()
    {
        await using var server = new ServerFactory(tokens: true, new Dictionary<string, string?> { ["urls"] = "http://0.0.0.0:5080" });

        Assert.Equal("alive", (string?)(await server.Client().GetJsonAsync("/health"))["status"]);
    }

    [Theory]
    [InlineData("justatoken", "must be ROLE:TOKEN")]
    [InlineData("admin:0123456789abcdefghij", "neither reader nor operator")]
    [InlineData("operator:short", "at least 16")]
    public async Task Start_BadToken_RefusesWithoutRepeatingIt(string entry, string problem)
    {
        await using var server = new ServerFactory(tokens: false, settings: new Dictionary<string, string?> { ["Bamboo:Server:Tokens:0"] = entry });

        var refused = Assert.Throws<OptionsValidationException>(() => server.CreateClient());

        Assert.Contains(problem, refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(entry.Split(':')[^1], refused.Message, StringComparison.Ordinal);
    }
}
