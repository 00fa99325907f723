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

    /// <summary>
    /// Starts Chromium. With <paramref name="cutOff"/> (the default) every request that is not for a local file is
    /// aborted and recorded; without it requests go out (to a local stand-in server in the tests) and are recorded too.
    /// </summary>
    public static async Task<BookBrowser> LaunchAsync(bool cutOff = true)
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
            Offline = cutOff,
        });
        var browser = new BookBrowser(playwright, context, userData);
        if (!cutOff)
        {
            context.Request += (_, request) =>
            {
                if (!request.Url.StartsWith("file:", StringComparison.Ordinal) && !request.Url.StartsWith("data:", StringComparison.Ordinal))
                    lock (browser._external) browser._external.Add(request.Url);
            };
            return browser;
        }
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
            "() => [...document.querySelectorAll('a[href]')].map(a => ({ raw: a.getAttribute('href'), url: a.href, newTab: a.target === '_blank' && a.relList.contains('noopener'), local: a.getAttribute('href').startsWith('#') ? !!document.getElementById(decodeURIComponent(a.getAttribute('href').slice(1))) : null }))");
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
            // An outside link is followed only when clicked, in a new tab that cannot reach back into the book.
            if (url.Scheme is "http" or "https") { if (!link.GetProperty("newTab").GetBoolean()) brokenLinks.Add($"{raw} (outside link not opening in a new tab with rel=noopener)"); }
            else if (!url.IsFile) brokenLinks.Add($"{raw} (not a local file)");
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

    /// <summary>
    /// What does not fit on <paramref name="file"/> at a screen <paramref name="width"/> pixels wide, one line each: the
    /// page scrolling sideways, a chart or image wider than the screen, code cut at its box's edge, a cell number over
    /// the code, a text table that scrolls although the screen is wide (at 1000 px and more), a chart title wider than its chart.
    /// </summary>
    public async Task<IReadOnlyList<string>> LayoutProblemsAsync(string file, int width, string? screenshot = null)
    {
        var page = await _context.NewPageAsync();
        await page.SetViewportSizeAsync(width, 900);
        await page.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        try
        {
            await page.WaitForFunctionAsync("() => [...document.querySelectorAll('div[id^=\"camnb-plot-\"]')].every(d => d.querySelector('.main-svg'))",
                null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            // Undrawn charts are VisitAsync's to report.
        }
        await page.WaitForTimeoutAsync(300); // title fitting runs once a chart is drawn
        var problems = await page.EvaluateAsync<string[]>("""
            (wide) => {
              const out = [], view = document.documentElement.clientWidth;
              const name = e => (e.id ? '#' + e.id : e.tagName.toLowerCase() + '.' + [...e.classList].join('.')) + ' in ' + (e.closest('section[id]') || {}).id;
              if (document.documentElement.scrollWidth > view + 1) {
                const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > view + 1 && ![...e.querySelectorAll('*')].some(c => c.getBoundingClientRect().right > view + 1));
                out.push(`page scrolls sideways: ${document.documentElement.scrollWidth}px wide in ${view}px, because of ${wide.slice(0, 3).map(e => name(e) + ' "' + e.textContent.slice(0, 40) + '"').join(', ')}`);
              }
              for (const e of document.querySelectorAll('div[id^="camnb-plot-"] .main-svg, main img')) {
                const r = e.getBoundingClientRect();
                if (r.width > 0 && (r.right > view + 1 || r.left < -1)) out.push(`${name(e.closest('div[id^="camnb-plot-"]') || e)} spans ${Math.round(r.left)}..${Math.round(r.right)}px of ${view}px`);
              }
              for (const pre of document.querySelectorAll('pre.code'))
                if (pre.scrollWidth > pre.clientWidth + 1) out.push(`${name(pre)}: code cut at the box edge (${pre.scrollWidth}px in ${pre.clientWidth}px)`);
              for (const number of document.querySelectorAll('.cell-number')) {
                const code = number.parentElement.querySelector('pre.code code'); if (!code) continue;
                const n = number.getBoundingClientRect(), range = document.createRange(); range.selectNodeContents(code);
                for (const r of range.getClientRects())
                  if (r.width > 0 && r.left < n.right && n.left < r.right && r.top < n.bottom && n.top < r.bottom) { out.push(`${name(number.parentElement.parentElement)}: the cell number covers the code`); break; }
              }
              if (wide) for (const pre of document.querySelectorAll('pre.output.tabular'))
                if (pre.scrollWidth > pre.clientWidth + 1) out.push(`${name(pre)}: text table scrolls at ${view}px (${pre.scrollWidth}px in ${pre.clientWidth}px)`);
              for (const chart of document.querySelectorAll('div[id^="camnb-plot-"]')) {
                const title = chart.querySelector('.gtitle'), svg = chart.querySelector('.main-svg'); if (!title || !svg) continue;
                const t = title.getBoundingClientRect(), s = svg.getBoundingClientRect();
                if (t.left < s.left - 1 || t.right > s.right + 1) out.push(`${name(chart)}: title "${title.textContent}" is cut (${Math.round(t.width)}px in a ${Math.round(s.width)}px chart)`);
              }
              return out;
            }
            """, width >= 1000);
        if (screenshot is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        }
        await page.CloseAsync();
        return problems.Select(p => $"{Path.GetFileName(file)} at {width}px: {p}").ToList();
    }

    /// <summary>What happened on <paramref name="file"/>: requests to other hosts, dialogs, console errors, and what <paramref name="probe"/> (a JavaScript function) returned.</summary>
    internal sealed record Probe(IReadOnlyList<string> Requests, IReadOnlyList<string> Dialogs, IReadOnlyList<string> ConsoleErrors, string FinalUrl, JsonElement Result);

    /// <summary>
    /// Opens <paramref name="file"/>, waits for its charts, hovers and clicks every element, waits
    /// <paramref name="settle"/> for timers and refreshes, then evaluates <paramref name="probe"/> in the page.
    /// </summary>
    public async Task<Probe> ProbeAsync(string file, string probe, TimeSpan settle)
    {
        var page = await _context.NewPageAsync();
        var dialogs = new List<string>();
        var consoleErrors = new List<string>();
        page.Dialog += async (_, dialog) => { lock (dialogs) dialogs.Add(dialog.Message); await dialog.DismissAsync(); };
        page.Console += (_, message) => { if (message.Type == "error") lock (consoleErrors) consoleErrors.Add(message.Text); };
        int before;
        lock (_external) before = _external.Count;
        await page.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        try
        {
            await page.WaitForFunctionAsync("() => [...document.querySelectorAll('div[id^=\"camnb-plot-\"]')].every(d => d.querySelector('.main-svg'))",
                null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        }
        catch (TimeoutException)
        {
            // The probe reports what was drawn.
        }
        // A reader moves the mouse and clicks: handlers and links get their chance to run (new tabs are closed unseen). The
        // book's own download line is left alone: its links are meant to leave the page, for the .ipynb and .dib beside it.
        await page.EvaluateAsync("""
            () => { for (const e of document.querySelectorAll('main *')) {
              for (const type of ['mouseover', 'mouseenter', 'focus']) e.dispatchEvent(new Event(type));
              if (!e.closest('.modebar') && !e.closest('p.downloads') && !(e.tagName === 'A' && e.getAttribute('target') === '_blank')) e.click?.(); } }
            """);
        await page.WaitForTimeoutAsync((float)settle.TotalMilliseconds);
        var result = await page.EvaluateAsync<JsonElement>(probe);
        string url = page.Url;
        await page.CloseAsync();
        List<string> requests;
        lock (_external) requests = _external.Skip(before).ToList();
        lock (dialogs) lock (consoleErrors) return new Probe(requests, dialogs.ToList(), consoleErrors.ToList(), url, result);
    }

    /// <summary>
    /// Opens <paramref name="file"/> at a screen <paramref name="width"/> pixels wide and lets <paramref name="act"/> use the page
    /// as a reader would; returns what it returned, with the requests to other hosts and the console errors seen meanwhile.
    /// </summary>
    public async Task<(T Result, IReadOnlyList<string> Requests, IReadOnlyList<string> ConsoleErrors)> UseAsync<T>(string file, Func<IPage, Task<T>> act, int width = 1280)
    {
        var page = await _context.NewPageAsync();
        await page.SetViewportSizeAsync(width, 900);
        var consoleErrors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (consoleErrors) consoleErrors.Add(message.Text); };
        page.PageError += (_, error) => { lock (consoleErrors) consoleErrors.Add(error); };
        page.RequestFailed += (_, request) => { lock (consoleErrors) consoleErrors.Add($"failed request {request.Url} ({request.Failure})"); };
        int before;
        lock (_external) before = _external.Count;
        await page.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        var result = await act(page);
        await page.CloseAsync();
        List<string> requests;
        lock (_external) requests = _external.Skip(before).ToList();
        lock (consoleErrors) return (result, requests, consoleErrors.ToList());
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
