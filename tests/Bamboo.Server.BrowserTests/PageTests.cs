using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace Bamboo.Server.BrowserTests;

/// <summary>
/// A fresh browser context and page per test on the class's server, signed in with <see cref="Token"/> (kept in
/// sessionStorage as the page keeps it). Errors the page throws fail the test.
/// </summary>
public abstract class PageTests(BrowserFixture browser, ServerFixture server) : IAsyncLifetime
{
    private readonly List<string> _pageErrors = [];
    private IBrowserContext? _context;

    protected ServerFixture Server => server;

    protected IPage Page { get; private set; } = null!;

    /// <summary>The token the page starts with; null for none.</summary>
    protected virtual string? Token => ServerFixture.OperatorToken;

    public async ValueTask InitializeAsync()
    {
        _context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 860 },
        });
        if (Token is not null)
        {
            // Only when none is set, so a token entered on the page survives its navigations.
            await _context.AddInitScriptAsync($"if (!sessionStorage.getItem('bamboo.token')) sessionStorage.setItem('bamboo.token', '{Token}');");
        }

        Page = await _context.NewPageAsync();
        Page.SetDefaultTimeout(BrowserFixture.WaitMs);
        Page.PageError += (_, error) => _pageErrors.Add(error);
    }

    /// <summary>A node of the graph (an SVG group carrying data-node-id and data-state).</summary>
    protected ILocator Node(string id) => Page.Locator($"[data-node-id='{id}']");

    protected ILocator Panel => Page.GetByTestId("node-panel");

    /// <summary>The buttons of the panel's actions (each has a data-action name).</summary>
    protected ILocator PanelActions => Panel.Locator("[data-testid='node-actions'] [data-action]");

    /// <summary>The data-action names of the buttons the panel offers now.</summary>
    protected Task<string[]> PanelActionNamesAsync() => PanelActions.EvaluateAllAsync<string[]>("buttons => buttons.map(b => b.dataset.action)");

    protected static Regex Matching(string pattern) => new(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));

    /// <summary>Saves the viewport as <paramref name="name"/>.png in the screenshot folder.</summary>
    protected Task ScreenshotAsync(string name) =>
        Page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(browser.ScreenshotFolder, name + ".png"), Animations = ScreenshotAnimations.Disabled });

    public async ValueTask DisposeAsync()
    {
        if (_context is not null)
        {
            await _context.CloseAsync();
        }

        GC.SuppressFinalize(this);
        Assert.True(_pageErrors.Count == 0, "the page threw: " + string.Join("; ", _pageErrors));
    }
}
