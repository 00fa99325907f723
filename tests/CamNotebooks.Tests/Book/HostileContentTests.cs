using System.Text.Json;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Book;

/// <summary>
/// A notebook whose markdown (and one output) tries every way to run script, navigate, submit or load: in a real
/// browser with the network open, nothing runs and no request reaches the stand-in server, and the page still draws.
/// </summary>
[Collection(StockKernelCollection.Name)]
public class HostileContentTests
{
    private const string Probe = """
        () => ({
          charts: [...document.querySelectorAll('div[id^="camnb-plot-"]')].filter(d => d.querySelector('.main-svg')).length,
          outputAfter: !!document.querySelector('.after-output'),
          dot: [...document.querySelectorAll('img[alt="a dot"]')].filter(i => i.complete && i.naturalWidth > 0).length,
          strong: document.querySelectorAll('main strong').length,
          link: (document.querySelector('a.external') || {}).outerHTML || '',
          handlers: [...document.querySelectorAll('main *')].flatMap(e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => a.name)),
          active: [...document.querySelectorAll('.cell.markdown script, main svg script, main iframe, main form, main object, main embed, main meta, main base, main link')].map(e => e.outerHTML.slice(0, 80)),
          javascriptUrls: [...document.querySelectorAll('main [href], main [src], main [action]')].filter(e => /javascript:/i.test(e.getAttribute('href') || e.getAttribute('src') || e.getAttribute('action'))).length,
          title: document.title,
          injected: [typeof window.__inlineRan, typeof window.__handlerRan],
        })
        """;

    [Fact]
    public async Task Hostile_markdown_runs_nothing_and_sends_nothing_and_the_page_still_draws_its_chart()
    {
        using var server = StandInServer.Start();
        string root = BookFixtures.CreateRepository("04_hostile.dib");
        string notebook = Path.Combine(root, "notebooks", "04_hostile.dib");
        File.WriteAllText(notebook, File.ReadAllText(notebook).Replace("STANDIN", server.Address, StringComparison.Ordinal));
        var outcome = BookFixtures.Build(root);
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        string page = Path.Combine(root, "book", "04_hostile.html");
        string html = File.ReadAllText(page);
        Assert.DoesNotContain("'unsafe-inline' 'unsafe-eval'", html);

        // The policy is the second wall: a script or handler slipped into the page by hand is refused too.
        string tampered = Path.Combine(root, "book", "04_tampered.html");
        File.WriteAllText(tampered, html.Replace("</main>", "<script>window.__inlineRan = 1; fetch('" + server.Address + "/inline')</script><img src=\"nothing.png\" onerror=\"window.__handlerRan = 1\"></main>", StringComparison.Ordinal));

        await using var browser = await BookBrowser.LaunchAsync(cutOff: false);
        foreach (string file in new[] { page, tampered })
        {
            var probe = await browser.ProbeAsync(file, Probe, TimeSpan.FromSeconds(2.5));
            string what = $"{Path.GetFileName(file)}: {probe.Result}";
            Assert.True(server.Requests.Count == 0, $"{what}; the stand-in server was reached: {string.Join(", ", server.Requests)}");
            Assert.True(probe.Requests.Count == 0, $"{what}; requests left the page: {string.Join(", ", probe.Requests)}");
            Assert.Empty(probe.Dialogs);
            Assert.Equal(new Uri(file).AbsoluteUri, probe.FinalUrl.Split('#')[0]); // no refresh, no navigation
            var result = probe.Result;
            Assert.Equal(["undefined", "undefined"], result.GetProperty("injected").EnumerateArray().Select(e => e.GetString()));
            if (file == page)
            {
                // The sanitised page holds no handler, active element or javascript: address (the tampered one holds the ones added by hand).
                Assert.Equal(0, result.GetProperty("handlers").GetArrayLength());
                Assert.Equal(0, result.GetProperty("active").GetArrayLength());
                Assert.Equal(0, result.GetProperty("javascriptUrls").GetInt32());
            }
            Assert.StartsWith("4. Hostile markdown", result.GetProperty("title").GetString());
            // ... and what is allowed is still there: the chart, the output after the hostile part, formatting, the image, the link.
            Assert.Equal(1, result.GetProperty("charts").GetInt32());
            Assert.True(result.GetProperty("outputAfter").GetBoolean(), what);
            Assert.Equal(1, result.GetProperty("dot").GetInt32());
            Assert.True(result.GetProperty("strong").GetInt32() >= 1, what);
            Assert.Contains("target=\"_blank\" rel=\"noopener noreferrer\"", result.GetProperty("link").GetString());
            bool refusedByPolicy = probe.ConsoleErrors.Any(e => e.Contains("Content Security Policy", StringComparison.Ordinal));
            Assert.True(file == tampered ? refusedByPolicy : !refusedByPolicy, $"{what}; console: {string.Join(" | ", probe.ConsoleErrors)}");
        }
    }
}
