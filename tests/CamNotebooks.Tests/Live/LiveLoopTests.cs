using System.Diagnostics;
using System.Text.RegularExpressions;
using CamNotebooks.Tests.Book;
using CamNotebooks.Tests.Notebooks;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CamNotebooks.Tests.Live;

/// <summary>
/// The live loop as a learner uses it: the page open in Chromium, the .dib edited on disk; every save updates the page in
/// place, in one kernel, errors at their cell.
/// </summary>
[Collection(StockKernelCollection.Name)]
public partial class LiveLoopTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [LinuxBrowserFact]
    public async Task Edit_error_and_fix_update_the_open_page_in_place_in_one_kernel_and_ctrl_c_stops_it()
    {
        string folder = Path.Combine(Path.GetTempPath(), "camnb-live-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string notebook = Path.Combine(folder, "live_fixture.dib");
        File.Copy(Path.Combine(Repository.Root, "tests", "CamNotebooks.Tests", "Live", "Fixtures", "live_fixture.dib"), notebook);
        using var live = LiveProcess.Start(notebook, TimeSpan.FromMinutes(2));
        Assert.StartsWith("http://127.0.0.1:", live.Url);
        await using var browser = await LiveBrowser.LaunchAsync(live.Url);
        var page = await browser.OpenAsync(live.Url);

        await WaitForTextAsync(page, "#cell-3", "answer=42 runs=1 ");
        string kernel = KernelId().Match(await page.InnerTextAsync("#cell-3")).Groups[1].Value;
        Assert.Matches("^[0-9a-f]{8}$", kernel);
        // Marks that only survive an in-place update: the page is never reloaded, and an unchanged cell keeps its element.
        await page.EvaluateAsync("() => { window.camnbNoReload = true; document.getElementById('cell-2').camnbKept = true; }");

        // 1. A changed value: the edited cell and the cells below run again; the first cell's state is kept.
        var edit = Stopwatch.StartNew();
        Edit(notebook, "var factor = 2;", "var factor = 5;");
        await WaitForTextAsync(page, "#cell-3", $"answer=105 runs=2 kernel={kernel}");
        output.WriteLine($"fixture: save to updated output in {edit.Elapsed.TotalSeconds:F2} s");
        await WaitForTextAsync(page, "#cell-4", "below=6");
        Assert.True(await page.EvaluateAsync<bool>("() => window.camnbNoReload === true && document.getElementById('cell-2').camnbKept === true"),
            "the page was reloaded or the unchanged cell replaced");

        // 2. An error: shown at its cell; the cells below are marked as not run.
        Edit(notebook, "var factor = 5;", "var factor = \"five\" * 1;");
        await page.WaitForSelectorAsync("#cell-3.failed", new PageWaitForSelectorOptions { Timeout = (float)Bound.TotalMilliseconds });
        Assert.Contains("CS0019", await page.InnerTextAsync("#cell-3 .output.error"));
        Assert.Contains("not-run", await page.GetAttributeAsync("#cell-4", "class"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BookFixtures.ScreenshotFolder, "live-error.png"), FullPage = true });
        await WaitForTextAsync(page, "#camnb-live-status", "Cell 3 failed");
        Assert.Equal("problem", await page.GetAttributeAsync("#camnb-live-status", "class"));

        // 3. The fix: the same kernel recovers (runs went on counting from the state the first cell made).
        Edit(notebook, "var factor = \"five\" * 1;", "var factor = 7;");
        await WaitForTextAsync(page, "#cell-3", $"answer=147 runs=3 kernel={kernel}");
        await WaitForTextAsync(page, "#cell-4", "below=8");
        Assert.Equal(0, await page.Locator("section.failed").CountAsync());
        Assert.True(await page.EvaluateAsync<bool>("() => window.camnbNoReload === true"));
        Assert.Empty(browser.Problems);

        // 4. A save that breaks the file itself: the status says what is wrong, the cells stay; the repair brings it back.
        string good = File.ReadAllText(notebook);
        File.WriteAllText(notebook, good.Replace("#!meta", "#!mate", StringComparison.Ordinal));
        await WaitForTextAsync(page, "#camnb-live-status", "does not start with a '#!meta' block");
        Assert.Contains("answer=147", await page.InnerTextAsync("#cell-3"));
        File.WriteAllText(notebook, good);
        await WaitForTextAsync(page, "#camnb-live-status", "Up to date");
        Assert.Contains($"answer=147 runs=3 kernel={kernel}", await page.InnerTextAsync("#cell-3")); // nothing re-ran
        Assert.Empty(browser.Problems);

        // 5. Ctrl-C stops it cleanly, and the port is closed.
        Assert.Equal(0, live.Interrupt(TimeSpan.FromSeconds(15)));
        Assert.Contains("live: stopped.", live.Output);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(live.Url));
    }

    /// <summary>Waits until the element's text contains <paramref name="text"/>, failing after <see cref="Bound"/>.</summary>
    internal static async Task WaitForTextAsync(IPage page, string selector, string text, TimeSpan? bound = null)
    {
        try
        {
            await page.WaitForFunctionAsync("([s, t]) => { const e = document.querySelector(s); return !!e && e.innerText.includes(t); }",
                new object[] { selector, text }, new PageWaitForFunctionOptions { Timeout = (float)(bound ?? Bound).TotalMilliseconds, PollingInterval = 50 });
        }
        catch (TimeoutException)
        {
            string now = await page.EvaluateAsync<string>("(s) => document.querySelector(s)?.innerText ?? '(no such element)'", selector);
            string status = await page.InnerTextAsync("#camnb-live-status");
            Assert.Fail($"'{text}' did not appear in {selector} within {(bound ?? Bound).TotalSeconds} s. It reads: {now}\nStatus: {status}");
        }
    }

    /// <summary>Saves the notebook with one replacement, as an editor does.</summary>
    internal static void Edit(string notebook, string from, string to)
    {
        string text = File.ReadAllText(notebook);
        Assert.Contains(from, text);
        File.WriteAllText(notebook, text.Replace(from, to, StringComparison.Ordinal));
    }

    [GeneratedRegex(@"kernel=([0-9a-f]+)")]
    private static partial Regex KernelId();
}
