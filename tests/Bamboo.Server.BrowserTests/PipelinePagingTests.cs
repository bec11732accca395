using static Microsoft.Playwright.Assertions;

namespace Bamboo.Server.BrowserTests;

/// <summary>The list's filters and its pages (the server's cursor), on a store of its own.</summary>
public sealed class PipelinePagingTests(BrowserFixture browser, ServerFixture server) : PageTests(browser, server), IClassFixture<ServerFixture>
{
    [Fact]
    public async Task List_FilteredAndPaged_ShowsTheMatchingRunsPageByPage()
    {
        var trees = new Trees();
        for (var i = 0; i < 23; i++)
        {
            await Server.RunAsync(new Trees().Hello(), $"batch {trees.Id("b")} #{i:00}");

            // Runs started within one millisecond list by id (the keyset is start time, then id): each gets a
            // millisecond of its own, so newest first is the order they were started in.
            var started = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Assert.True(SpinWait.SpinUntil(() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() > started, TimeSpan.FromSeconds(1)));
        }

        var other = await Server.RunAsync(trees.Failing(), "unrelated");
        await Page.GotoAsync("/");
        var rows = Page.GetByTestId("pipelines").Locator("tbody tr");

        await Page.GetByTestId("filter-search").FillAsync(trees.Id("b"));
        await Expect(Page).ToHaveURLAsync(Matching($"search={trees.Id("b")}"));
        await Expect(rows).ToHaveCountAsync(20);
        await Expect(rows.First).ToContainTextAsync("#22");
        await Expect(Page.Locator($"tr[data-pipeline-id='{other}']")).ToHaveCountAsync(0);
        await Page.GetByTestId("page-older").ClickAsync();
        await Expect(rows).ToHaveCountAsync(3);
        await Expect(rows.Last).ToContainTextAsync("#00");
        await Expect(Page.GetByTestId("page-older")).ToBeDisabledAsync();
        await Page.GetByTestId("page-newer").ClickAsync();
        await Expect(rows).ToHaveCountAsync(20);
        await Page.GetByTestId("filter-state").SelectOptionAsync("RUNNING");
        await Expect(Page.GetByText("No pipeline matches these filters.")).ToBeVisibleAsync();
    }
}
