using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Book;

/// <summary>The rendered book in a real browser with the network cut off: it loads cleanly, draws every chart and image, and its links resolve.</summary>
[Collection(NotebookCollection.Name)]
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

    [LinuxBrowserFact]
    public async Task The_book_of_the_real_notebooks_builds_and_reads_cleanly_offline()
    {
        // Its own cache, so this test never reuses what build.sh left; repeated local runs reuse their own results.
        string cache = Path.Combine(Repository.Root, "artifacts", "book-test-cache");
        string output = Path.Combine(Path.GetTempPath(), "camnb-real-book-" + Guid.NewGuid().ToString("N"));
        var outcome = ProcessRunner.Run("dotnet",
            ["exec", BookFixtures.BookAssembly, "build", "--notebooks", Repository.Notebooks, "--output", output, "--cache", cache],
            Repository.Root, TimeSpan.FromMinutes(60));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"book: {Path.Combine(output, "index.html")}", outcome.StandardOutput);

        await using var browser = await BookBrowser.LaunchAsync();
        var problems = new List<string>();
        foreach (string page in Directory.GetFiles(output, "*.html", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(page);
            bool keep = name == "index.html" || name.StartsWith("02_", StringComparison.Ordinal) || name.StartsWith("00_", StringComparison.Ordinal);
            var visit = await browser.VisitAsync(page, keep ? Path.Combine(BookFixtures.ScreenshotFolder, Path.ChangeExtension(name, ".png")) : null);
            problems.AddRange(visit.Problems);
            foreach (int width in (int[])[390, 1280])
                problems.AddRange(await browser.LayoutProblemsAsync(page, width,
                    keep ? Path.Combine(BookFixtures.ScreenshotFolder, $"{Path.GetFileNameWithoutExtension(name)}-{width}.png") : null));
        }
        Assert.Empty(problems);
        // The set-up cell is one line, and no page names a folder of the machine that built it.
        foreach (string page in Directory.GetFiles(output, "*.html", SearchOption.AllDirectories))
        {
            string html = File.ReadAllText(page);
            Assert.DoesNotContain("Installed Packages", html);
            Assert.DoesNotContain(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile) + "/", html);
            Assert.DoesNotContain(Repository.Root, html);
        }
        int notebooks = Repository.AllNotebooks().Count();
        Assert.Equal(notebooks + 1, Directory.GetFiles(output, "*.html", SearchOption.AllDirectories).Length);
        // Beside every page, its executed notebook (schema-valid .ipynb) and its source; the visits above checked the links.
        Assert.Equal(notebooks, Directory.GetFiles(output, "*.dib", SearchOption.AllDirectories).Length);
        Assert.Empty(Jupyter.DebianJupyter.SchemaProblems(Directory.GetFiles(output, "*.ipynb", SearchOption.AllDirectories)));
    }
}
