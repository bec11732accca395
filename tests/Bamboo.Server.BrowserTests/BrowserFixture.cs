using Microsoft.Playwright;

[assembly: AssemblyFixture(typeof(Bamboo.Server.BrowserTests.BrowserFixture))]

// One Chromium for the whole run, and one page at a time: the machine's cores are shared with other work.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Bamboo.Server.BrowserTests;

/// <summary>
/// Debian's Chromium, headless, started once through Playwright. Playwright brings its driver in the NuGet package
/// and downloads no browser: <see cref="ExecutablePath"/> must exist (<c>apt-get install chromium</c>, as .ci/run does).
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>How long a test waits for a condition on the page (the engine works in the background).</summary>
    public const float WaitMs = 30_000;

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>
    /// Where screenshots go: <c>BAMBOO_SCREENSHOTS</c> when set (docs/screenshots, to refresh the docs), else a folder
    /// beside the test assembly.
    /// </summary>
    public string ScreenshotFolder { get; } = Environment.GetEnvironmentVariable("BAMBOO_SCREENSHOTS") is { Length: > 0 } folder
        ? Path.GetFullPath(folder)
        : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async ValueTask InitializeAsync()
    {
        Assert.True(File.Exists(ExecutablePath), $"{ExecutablePath} is missing: apt-get install -y chromium");
        Assertions.SetDefaultExpectTimeout(WaitMs);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        Directory.CreateDirectory(ScreenshotFolder);
    }

    public async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
    }
}
