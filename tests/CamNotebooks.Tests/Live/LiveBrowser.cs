using Microsoft.Playwright;

namespace CamNotebooks.Tests.Live;

/// <summary>
/// Headless Chromium (Debian's, as in the book's tests) for a live page: requests to the live server pass, any other
/// request is aborted and reported, as are console errors.
/// </summary>
internal sealed class LiveBrowser : IAsyncDisposable
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private readonly List<string> _problems = [];

    private LiveBrowser(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        _browser = browser;
    }

    /// <summary>Console errors, page errors and requests to anywhere but the live server, one line each.</summary>
    public IReadOnlyList<string> Problems
    {
        get { lock (_problems) return _problems.ToList(); }
    }

    private string Origin { get; set; } = "";

    public static async Task<LiveBrowser> LaunchAsync(string url)
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install the Debian package 'chromium' (test.sh does it).");
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
        return new LiveBrowser(playwright, browser) { Origin = new Uri(url).GetLeftPart(UriPartial.Authority) };
    }

    public async Task<IPage> OpenAsync(string url)
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await context.RouteAsync(u => !u.StartsWith(Origin + "/", StringComparison.Ordinal) && !u.StartsWith("data:", StringComparison.Ordinal), async route =>
        {
            lock (_problems) _problems.Add($"request to another host: {route.Request.Url}");
            await route.AbortAsync();
        });
        var page = await context.NewPageAsync();
        page.Console += (_, message) => { if (message.Type == "error") lock (_problems) _problems.Add($"console error: {message.Text}"); };
        page.PageError += (_, error) => { lock (_problems) _problems.Add($"page error: {error}"); };
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.CloseAsync();
        _playwright.Dispose();
    }
}
