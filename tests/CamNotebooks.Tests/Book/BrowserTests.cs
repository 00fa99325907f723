using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Book;

/// <summary>The rendered book in a real browser with the network cut off: it loads cleanly, draws every chart and image, and its links resolve.</summary>
[Collection(StockKernelCollection.Name)]
public class BrowserTests
{
    [LinuxBrowserFact]
    public async Task Every_page_of_the_fixture_book_loads_offline_draws_its_charts_and_images_and_links_resolve()
    {
        string book = SharedFixtureBook.Folder;
        Assert.True(File.Exists(Path.Combine(book, "index.html")), SharedFixtureBook.Outcome.ToString());
        await using var browser = await BookBrowser.LaunchAsync();
        var visits = new List<PageVisit>();
        foreach (string page in Directory.GetFiles(book, "*.html", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetRelativePath(book, page).Replace('/', '-');
            string? screenshot = name is "index.html" or "01_outputs.html" or "03_fails.html"
                ? Path.Combine(BookFixtures.ScreenshotFolder, "fixture-" + Path.ChangeExtension(name, ".png"))
                : null;
            visits.Add(await browser.VisitAsync(page, screenshot));
        }
        Assert.Equal(6, visits.Count); // index + 5 notebooks
        Assert.Empty(visits.SelectMany(v => v.Problems));
        // The checks had something to check: the setup chapter's chart, the fixture's two charts and its PNG.
        Assert.Equal(1, visits.Single(v => v.Page == "00_setup.html").Charts);
        var outputs = visits.Single(v => v.Page == "01_outputs.html");
        Assert.Equal(3, outputs.Charts); // Plotly.NET, XPlot, and a require.js loader answered by the book's stand-in
        Assert.Equal(1, outputs.Images);
        Assert.True(visits.Single(v => v.Page == "index.html").BrokenLinks.Count == 0);

        // On a phone and on a desktop nothing sticks out: no sideways page, charts and images inside the screen, no code cut.
        var layout = new List<string>();
        foreach (string page in Directory.GetFiles(book, "*.html", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            foreach (int width in (int[])[390, 1280])
                layout.AddRange(await browser.LayoutProblemsAsync(page, width));
        Assert.Empty(layout);

        // On paper: no navigation, no contents column, the text uses the width of the page.
        var print = await browser.PrintLayoutAsync(Path.Combine(book, "01_outputs.html"));
        Assert.Equal(["none", "none", "none"], [print.HeaderDisplay, print.PagerDisplay, print.TocDisplay]);
        Assert.True(print.MainWidth > 0.9 * print.BodyWidth, $"main is {print.MainWidth}px of {print.BodyWidth}px when printed");
    }
}
