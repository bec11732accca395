using static Microsoft.Playwright.Assertions;

namespace Bamboo.Server.BrowserTests;

/// <summary>The list of pipelines: state, progress and age per run, filters, pages.</summary>
public sealed class PipelineListTests(BrowserFixture browser, ServerFixture server) : PageTests(browser, server), IClassFixture<ServerFixture>
{
    [Fact]
    public async Task List_RunsInSeveralStates_ShowsStateAndProgress()
    {
        var trees = new Trees();
        var release = await Server.RunAsync(trees.Release(), "nightly release");
        var approval = await Server.RunAsync(trees.Approval(), "deploy approval");
        var hello = await Server.RunAsync(trees.Hello(), "hello world");
        var paused = await Server.RunAsync(new Trees().Approval(), "weekly report");
        await Server.PostAsync($"/api/pipelines/{paused}/pause", "{}");

        await Page.GotoAsync("/");

        var rows = Page.GetByTestId("pipelines").Locator("tbody tr");
        await Expect(rows).ToHaveCountAsync(4);
        var helloRow = Page.Locator($"tr[data-pipeline-id='{hello}']");
        await Expect(helloRow).ToHaveAttributeAsync("data-state", "FINISHED");
        await Expect(helloRow.GetByTestId("progress")).ToContainTextAsync("3 / 3");
        await Expect(Page.Locator($"tr[data-pipeline-id='{release}']")).ToContainTextAsync("node failed");
        await Expect(Page.Locator($"tr[data-pipeline-id='{approval}']")).ToContainTextAsync("awaits callback");
        await Expect(Page.Locator($"tr[data-pipeline-id='{paused}']")).ToContainTextAsync("Paused");
        await ScreenshotAsync("list");

        await Page.Locator($"tr[data-pipeline-id='{approval}'] a").ClickAsync();
        await Expect(Page).ToHaveURLAsync(Matching($"/pipelines/{approval}$"));
        await Expect(Page.GetByTestId("pipeline-state")).ToHaveAttributeAsync("data-state", "RUNNING");
    }
}
