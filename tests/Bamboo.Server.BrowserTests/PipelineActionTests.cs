using static Microsoft.Playwright.Assertions;

namespace Bamboo.Server.BrowserTests;

/// <summary>The pipeline's own actions from its page: pause, resume, revoke.</summary>
public sealed class PipelineActionTests(BrowserFixture browser, ServerFixture server) : PageTests(browser, server), IClassFixture<ServerFixture>
{
    [Fact]
    public async Task PauseAndResume_RunningPipeline_StateFollows()
    {
        var trees = new Trees();
        var id = await Server.RunAsync(trees.Approval(), "paused approval");
        var state = Page.GetByTestId("pipeline-state");
        await Page.GotoAsync($"/pipelines/{id}");
        await Expect(Node(trees.Id("approval"))).ToHaveAttributeAsync("data-state", "RUNNING");

        await Page.Locator("[data-action='pipeline-pause']").ClickAsync();

        await Expect(state).ToHaveAttributeAsync("data-state", "SUSPENDED");
        await Expect(state).ToHaveTextAsync("Paused");
        await Expect(Page.GetByTestId("pipeline-notice")).ToContainTextAsync("Pause: accepted.");
        await Expect(Page.Locator("[data-action='pipeline-pause']")).ToHaveCountAsync(0);

        await Page.Locator("[data-action='pipeline-resume']").ClickAsync();

        await Expect(state).ToHaveAttributeAsync("data-state", "RUNNING");
        await Expect(Page.Locator("[data-action='pipeline-pause']")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Revoke_AfterConfirming_PipelineRevoked()
    {
        var trees = new Trees();
        var id = await Server.RunAsync(trees.Approval(), "revoked approval");
        await Page.GotoAsync($"/pipelines/{id}");
        await Expect(Node(trees.Id("approval"))).ToHaveAttributeAsync("data-state", "RUNNING");

        await Page.Locator("[data-action='revoke-ask']").ClickAsync();
        await Page.Locator("[data-action='pipeline-revoke']").ClickAsync();

        await Expect(Page.GetByTestId("pipeline-state")).ToHaveAttributeAsync("data-state", "REVOKED");
        await Expect(Page.Locator("[data-action^='pipeline-']")).ToHaveCountAsync(0);
    }
}
