using static Microsoft.Playwright.Assertions;

namespace Bamboo.Server.BrowserTests;

/// <summary>The bearer token: asked for when missing, kept for the tab, and a reader's limits explained.</summary>
public sealed class TokenTests(BrowserFixture browser, ServerFixture server) : PageTests(browser, server), IClassFixture<ServerFixture>
{
    protected override string? Token => null;

    [Fact]
    public async Task List_WithoutToken_SaysSoUntilOneIsEntered()
    {
        var hello = await Server.RunAsync(new Trees().Hello(), "hello world");

        await Page.GotoAsync("/");

        await Expect(Page.GetByTestId("page-problem")).ToContainTextAsync("401");
        await Page.GetByTestId("token-button").ClickAsync();
        await Page.GetByTestId("token-input").FillAsync(ServerFixture.ReaderToken);
        await Page.GetByTestId("token-input").PressAsync("Enter");
        await Expect(Page.Locator($"tr[data-pipeline-id='{hello}']")).ToBeVisibleAsync();
        await Expect(Page.GetByTestId("page-problem")).ToHaveCountAsync(0);
        Assert.Equal(ServerFixture.ReaderToken, await Page.EvaluateAsync<string>("sessionStorage.getItem('bamboo.token')"));
    }

    [Fact]
    public async Task Pause_ReaderToken_ExplainsTheForbiddenAnswer()
    {
        var trees = new Trees();
        var id = await Server.RunAsync(trees.Approval(), "approval");
        await Page.GotoAsync("/");
        await Page.EvaluateAsync($"sessionStorage.setItem('bamboo.token', '{ServerFixture.ReaderToken}')");
        await Page.GotoAsync($"/pipelines/{id}");
        await Expect(Node(trees.Id("approval"))).ToHaveAttributeAsync("data-state", "RUNNING");

        await Page.Locator("[data-action='pipeline-pause']").ClickAsync();

        await Expect(Page.GetByTestId("pipeline-notice")).ToContainTextAsync("403");
        await Expect(Page.GetByTestId("pipeline-notice")).ToContainTextAsync("operator token");
        await Expect(Page.GetByTestId("pipeline-state")).ToHaveAttributeAsync("data-state", "RUNNING");
    }
}
