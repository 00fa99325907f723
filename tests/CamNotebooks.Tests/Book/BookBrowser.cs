using System.Text.Json;
using Microsoft.Playwright;

namespace CamNotebooks.Tests.Book;

/// <summary>What a reader's browser saw on one page.</summary>
internal sealed record PageVisit(
    string Page,
    IReadOnlyList<string> ConsoleErrors,
    IReadOnlyList<string> ExternalRequests,
    IReadOnlyList<string> FailedRequests,
    int Charts,
    IReadOnlyList<string> UndrawnCharts,
    int Images,
    IReadOnlyList<string> BrokenImages,
    IReadOnlyList<string> BrokenLinks)
{
    /// <summary>Everything that went wrong, one line each; empty for a good page.</summary>
    public IEnumerable<string> Problems =>
        ConsoleErrors.Select(e => $"{Page}: console error: {e}")
            .Concat(ExternalRequests.Select(r => $"{Page}: request to another host: {r}"))
            .Concat(FailedRequests.Select(r => $"{Page}: failed request: {r}"))
            .Concat(UndrawnCharts.Select(c => $"{Page}: chart not drawn: {c}"))
            .Concat(BrokenImages.Select(i => $"{Page}: image not loaded: {i}"))
            .Concat(BrokenLinks.Select(l => $"{Page}: broken link: {l}"));
}

/// <summary>A page's layout under print media.</summary>
internal sealed record PrintLayout(string HeaderDisplay, string PagerDisplay, string TocDisplay, double MainWidth, double BodyWidth);

/// <summary>
/// Headless Chromium (the Debian package, never a downloaded build) driven by Playwright, with the network cut off:
/// every request that is not for a local file is aborted and recorded.
/// </summary>
internal sealed class BookBrowser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private readonly IPlaywright _playwright;
    private readonly IBrowserContext _context;
    private readonly string _userData;
    private readonly List<string> _external = [];

    private BookBrowser(IPlaywright playwright, IBrowserContext context, string userData)
    {
        _playwright = playwright;
        _context = context;
        _userData = userData;
    }

    public static async Task<BookBrowser> LaunchAsync()
    {
        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing: install the Debian package 'chromium' (test.sh does it).");
        string userData = Path.Combine(Path.GetTempPath(), "camnb-chromium-" + Guid.NewGuid().ToString("N"));
        var playwright = await Playwright.CreateAsync();
        var context = await playwright.Chromium.LaunchPersistentContextAsync(userData, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            Offline = true,
        });
        var browser = new BookBrowser(playwright, context, userData);
        await context.RouteAsync("**/*", async route =>
        {
            string url = route.Request.Url;
            if (url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal) || url.StartsWith("blob:", StringComparison.Ordinal))
                await route.ContinueAsync();
            else
            {
                lock (browser._external) browser._external.Add(url);
                await route.AbortAsync();
            }
        });
        return browser;
    }

    /// <summary>Opens <paramref name="file"/>, waits for its charts, checks images and links, optionally saves a full-page screenshot.</summary>
    public async Task<PageVisit> VisitAsync(string file, string? screenshot = null)
    {
        var page = await _context.NewPageAsync();
        var consoleErrors = new List<string>();
        var failed = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (consoleErrors) consoleErrors.Add(message.Text); };
        page.PageError += (_, error) => { lock (consoleErrors) consoleErrors.Add(error); };
        page.RequestFailed += (_, request) => { lock (failed) failed.Add($"{request.Url} ({request.Failure})"); };
        int externalBefore;
        lock (_external) externalBefore = _external.Count;

        await page.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        const string undrawnCharts = """
            () => [...document.querySelectorAll('div[id^="camnb-plot-"]')]
              .filter(d => { const s = d.querySelector('.main-svg'); if (!s) return true; const r = s.getBoundingClientRect(); return !(r.width > 0 && r.height > 0); })
              .map(d => d.id)
            """;
        try
        {
            await page.WaitForFunctionAsync($"() => ({undrawnCharts})().length === 0", null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            // Reported below as undrawn charts.
        }
        int charts = await page.EvaluateAsync<int>("() => document.querySelectorAll('div[id^=\"camnb-plot-\"]').length");
        var undrawn = await page.EvaluateAsync<string[]>(undrawnCharts);
        int images = await page.EvaluateAsync<int>("() => document.querySelectorAll('img[src]').length");
        var brokenImages = await page.EvaluateAsync<string[]>(
            "() => [...document.querySelectorAll('img[src]')].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.getAttribute('src').slice(0, 80))");
        var links = await page.EvaluateAsync<JsonElement>(
            "() => [...document.querySelectorAll('a[href]')].map(a => ({ raw: a.getAttribute('href'), url: a.href, local: a.getAttribute('href').startsWith('#') ? !!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))) : null }))");
        var brokenLinks = new List<string>();
        foreach (var link in links.EnumerateArray())
        {
            string raw = link.GetProperty("raw").GetString()!;
            if (link.GetProperty("local").ValueKind != JsonValueKind.Null)
            {
                if (!link.GetProperty("local").GetBoolean()) brokenLinks.Add($"{raw} (no element with that id)");
                continue;
            }
            var url = new Uri(link.GetProperty("url").GetString()!);
            if (!url.IsFile) brokenLinks.Add($"{raw} (not a local file)");
            else if (!File.Exists(url.LocalPath)) brokenLinks.Add($"{raw} ({url.LocalPath} does not exist)");
        }
        if (screenshot is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        }
        await page.CloseAsync();
        List<string> external;
        lock (_external) external = _external.Skip(externalBefore).ToList();
        lock (consoleErrors) lock (failed)
            return new PageVisit(Path.GetFileName(file), consoleErrors.ToList(), external, failed.ToList(), charts, undrawn, images, brokenImages, brokenLinks);
    }

    /// <summary>How <paramref name="file"/> lays out for printing: the display of its header, pager and contents, and the width of its text.</summary>
    public async Task<PrintLayout> PrintLayoutAsync(string file)
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        var layout = await page.EvaluateAsync<JsonElement>("""
            () => ({
              headerDisplay: getComputedStyle(document.querySelector('.site-header')).display,
              pagerDisplay: getComputedStyle(document.querySelector('.pager')).display,
              tocDisplay: getComputedStyle(document.querySelector('.toc')).display,
              mainWidth: document.querySelector('main').getBoundingClientRect().width,
              bodyWidth: document.body.getBoundingClientRect().width,
            })
            """);
        await page.CloseAsync();
        return new PrintLayout(
            layout.GetProperty("headerDisplay").GetString()!, layout.GetProperty("pagerDisplay").GetString()!, layout.GetProperty("tocDisplay").GetString()!,
            layout.GetProperty("mainWidth").GetDouble(), layout.GetProperty("bodyWidth").GetDouble());
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        _playwright.Dispose();
        try { Directory.Delete(_userData, recursive: true); } catch (IOException) { /* Chromium may still hold a lock file; it is in temp */ }
    }
}
