using static Microsoft.Playwright.Assertions;

namespace Bamboo.Server.BrowserTests;

/// <summary>The node panel: a failed node retried with new inputs, a callback answered, a subprocess opened in place.</summary>
public sealed class NodeActionTests(BrowserFixture browser, ServerFixture server) : PageTests(browser, server), IClassFixture<ServerFixture>
{
    [Fact]
    public async Task RetryNode_FailedNodeRetriedWithNewInputs_NodeAndPipelineTurnGreen()
    {
        var trees = new Trees();
        var id = await Server.RunAsync(trees.Release(), "nightly release");
        var failing = Node(trees.Id("integration"));

        await Page.GotoAsync($"/pipelines/{id}");
        await Expect(failing).ToHaveAttributeAsync("data-state", "FAILED");
        await Expect(failing).ToHaveClassAsync(Matching(@"\bstate-failed\b"));
        await Expect(Page.GetByTestId("outcome")).ToContainTextAsync("Stopped at a failed node");
        await failing.ClickAsync();

        await Expect(Panel.GetByTestId("node-error")).ToBeVisibleAsync();
        await Expect(PanelActions).ToHaveCountAsync(2);
        Assert.Equal(["retry", "skip"], await PanelActionNamesAsync());
        var editor = Panel.Locator("textarea[data-editor='retry']");
        await Expect(editor).ToHaveValueAsync(Matching(@"""bit"": 0"));
        await ScreenshotAsync("node-panel");

        await editor.FillAsync("""{ "bit": 1 }""");
        await Panel.Locator("[data-action='retry']").ClickAsync();

        await Expect(failing).ToHaveAttributeAsync("data-state", "FINISHED");
        await Expect(failing).ToHaveClassAsync(Matching(@"\bstate-finished\b"));
        await Expect(Page.GetByTestId("pipeline-state")).ToHaveAttributeAsync("data-state", "FINISHED");
        await Expect(Panel.GetByTestId("node-histories")).ToContainTextAsync("Earlier attempts (1)");
        await Expect(Panel.GetByTestId("node-inputs")).ToContainTextAsync(@"""bit"": 1");
        await Expect(Panel.GetByTestId("node-error")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task SkipGateway_FlowChosen_RunsThatBranchOnly()
    {
        var trees = new Trees();
        var id = await Server.RunAsync(trees.Undecided(), "undecided order");
        var gateway = Node(trees.Id("size"));

        await Page.GotoAsync($"/pipelines/{id}");
        await Expect(gateway).ToHaveAttributeAsync("data-state", "FAILED");
        await gateway.ClickAsync();
        await Expect(PanelActions).ToHaveCountAsync(2);
        Assert.Equal(["skip-gateway", "retry"], await PanelActionNamesAsync());
        await Expect(Panel.Locator("textarea[data-editor='retry']")).ToHaveCountAsync(0);
        await Panel.Locator("label.choice", new() { HasText = "small order" }).Locator("input").CheckAsync();
        await Panel.Locator("[data-action='skip-gateway']").ClickAsync();

        await Expect(Page.GetByTestId("pipeline-state")).ToHaveAttributeAsync("data-state", "FINISHED");
        await Expect(Node(trees.Id("small"))).ToHaveAttributeAsync("data-state", "FINISHED");
        await Expect(Node(trees.Id("big"))).ToHaveAttributeAsync("data-state", "");
        await Expect(gateway).ToHaveAttributeAsync("data-state", "FINISHED");
    }

    [Fact]
    public async Task Subprocess_Toggled_OpensInPlaceAndCloses()
    {
        var trees = new Trees();
        var id = await Server.RunAsync(trees.Release(), "nightly release");
        var publish = Node(trees.Id("publish"));
        var upload = Node(trees.Id("upload"));
        await Page.GotoAsync($"/pipelines/{id}");
        await Expect(Node(trees.Id("integration"))).ToHaveAttributeAsync("data-state", "FAILED");
        await Server.PostAsync($"/api/nodes/{trees.Id("integration")}/retry", """{ "data": { "bit": 1 } }""");
        await Expect(Page.GetByTestId("pipeline-state")).ToHaveAttributeAsync("data-state", "FINISHED");
        await Expect(upload).ToHaveCountAsync(0);
        await publish.Locator("[data-toggle='expand']").ClickAsync();

        await Expect(upload).ToHaveAttributeAsync("data-state", "FINISHED");
        await Expect(Node(trees.Id("announce"))).ToBeVisibleAsync();
        await ScreenshotAsync("graph");
        await publish.Locator("[data-toggle='collapse']").First.ClickAsync();
        await Expect(upload).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Callback_NodeAwaitingOne_FinishesWithTheData()
    {
        var trees = new Trees();
        var id = await Server.RunAsync(trees.Approval(), "approval");
        var approval = Node(trees.Id("approval"));

        await Page.GotoAsync($"/pipelines/{id}?node={trees.Id("approval")}");
        await Expect(approval).ToHaveAttributeAsync("data-state", "RUNNING");
        await Expect(Page.GetByTestId("outcome")).ToContainTextAsync("Waiting for a callback");
        await Expect(PanelActions).ToHaveCountAsync(2);
        Assert.Equal(["forced-fail", "callback"], await PanelActionNamesAsync());
        await Panel.Locator("textarea[data-editor='callback']").FillAsync("""{ "bit": 1 }""");
        await Panel.Locator("[data-action='callback']").ClickAsync();

        await Expect(approval).ToHaveAttributeAsync("data-state", "FINISHED");
        await Expect(Page.GetByTestId("pipeline-state")).ToHaveAttributeAsync("data-state", "FINISHED");
    }

    [Fact]
    public async Task Callback_PageOutOfDate_ShowsTheEnginesRefusal()
    {
        var trees = new Trees();
        var nodeId = trees.Id("approval");
        var id = await Server.RunAsync(trees.Approval(), "approval answered elsewhere");
        await Page.GotoAsync($"/pipelines/{id}?node={nodeId}");
        await Expect(Panel.Locator("[data-action='callback']")).ToBeVisibleAsync();
        // The page keeps seeing the node as it was, while another operator answers the callback first.
        var stale = await Server.Api.GetStringAsync(new Uri($"/api/nodes/{nodeId}", UriKind.Relative), TestContext.Current.CancellationToken);
        await Page.RouteAsync($"**/api/nodes/{nodeId}", route => route.Request.Method == "GET"
            ? route.FulfillAsync(new() { Status = 200, ContentType = "application/json", Body = stale })
            : route.ContinueAsync());
        await Server.PostAsync($"/api/nodes/{nodeId}/callback", """{ "data": { "bit": 1 } }""");
        await Expect(Page.GetByTestId("pipeline-state")).ToHaveAttributeAsync("data-state", "FINISHED");

        await Panel.Locator("[data-action='callback']").ClickAsync();

        await Expect(Panel.GetByTestId("action-notice")).ToContainTextAsync("Callback refused by the engine: ");
    }

    [Fact]
    public async Task ForcedFail_RunningNode_FailsWithTheMessage()
    {
        var trees = new Trees();
        var id = await Server.RunAsync(trees.Approval(), "approval to fail");
        var approval = Node(trees.Id("approval"));
        await Page.GotoAsync($"/pipelines/{id}?node={trees.Id("approval")}");
        await Expect(Panel.Locator("[data-action='forced-fail']")).ToBeVisibleAsync();

        await Panel.GetByTestId("forced-fail-message").FillAsync("nobody approved in time");
        await Panel.Locator("[data-action='forced-fail']").ClickAsync();

        await Expect(approval).ToHaveAttributeAsync("data-state", "FAILED");
        await Expect(Panel.GetByTestId("node-error")).ToContainTextAsync("nobody approved in time");
        await Expect(PanelActions).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task PauseBeforeNode_ThenResume_PipelineStopsThereAndGoesOn()
    {
        var trees = new Trees();
        var id = await Server.RunAsync(trees.ApprovalThenDeploy(), "gated deploy");
        var deploy = Node(trees.Id("deploy"));
        await Page.GotoAsync($"/pipelines/{id}?node={trees.Id("deploy")}");
        await Expect(Node(trees.Id("gate"))).ToHaveAttributeAsync("data-state", "RUNNING");

        await Panel.Locator("[data-action='pause-node']").ClickAsync();
        await Expect(deploy).ToHaveAttributeAsync("data-state", "SUSPENDED");
        await Server.PostAsync($"/api/nodes/{trees.Id("gate")}/callback", """{ "data": { "bit": 1 } }""");
        await Expect(Node(trees.Id("gate"))).ToHaveAttributeAsync("data-state", "FINISHED");
        await Expect(Page.GetByTestId("outcome")).ToContainTextAsync("Paused");
        await Panel.Locator("[data-action='resume-node']").ClickAsync();

        await Expect(deploy).ToHaveAttributeAsync("data-state", "FINISHED");
        await Expect(Page.GetByTestId("pipeline-state")).ToHaveAttributeAsync("data-state", "FINISHED");
    }
}
