using System.Text.Json;
using System.Text.RegularExpressions;
using CamNotebooks.Book.Building;
using CamNotebooks.Tests.Jupyter;
using CamNotebooks.Tests.Live;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Book;

/// <summary>Every page of the book links its executed notebook (.ipynb, with outputs) and its .dib source, both beside it.</summary>
[Collection(StockKernelCollection.Name)]
public partial class NotebookDownloadTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Every_page_links_its_ipynb_and_dib_which_exist_beside_it()
    {
        string book = SharedFixtureBook.Folder;
        Assert.True(File.Exists(Path.Combine(book, "index.html")), SharedFixtureBook.Outcome.ToString());
        var pages = Directory.GetFiles(book, "*.html", SearchOption.AllDirectories).Where(p => Path.GetFileName(p) != "index.html").ToList();
        Assert.Equal(SharedFixtureBook.Notebooks.Length, pages.Count);
        foreach (string page in pages)
        {
            string html = File.ReadAllText(page);
            var links = DownloadLinks().Matches(html).Select(m => m.Groups["href"].Value).ToList();
            string name = Path.GetFileNameWithoutExtension(page);
            Assert.Equal([name + ".ipynb", name + ".dib"], links);
            foreach (string link in links) Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(page)!, link)), $"{page} links {link}, which is missing");
        }
        // The .dib is the source, with the set-up import and ../data named by the building checkout's absolute paths.
        foreach (string notebook in SharedFixtureBook.Notebooks)
        {
            string source = Path.Combine(SharedFixtureBook.Root, "notebooks", notebook);
            Assert.Equal(NotebookDownloads.ForAnyFolder(File.ReadAllText(source), Path.GetDirectoryName(source)!), File.ReadAllText(Path.Combine(book, notebook)));
        }
        string setupChapter = File.ReadAllText(Path.Combine(book, "00_setup.dib"));
        Assert.Contains($"#!import {Path.Combine(SharedFixtureBook.Root, "artifacts", "notebook-lib", "setup.csx")}\n", setupChapter);
        Assert.Contains($"\"{SharedFixtureBook.Root}/data/pets/images/Bengal_109.jpg\"", setupChapter);
        Assert.DoesNotContain("../data/", setupChapter);
        // A page with charts says where the .ipynb's charts draw; one without says nothing about charts.
        Assert.Contains("jupyter trust", File.ReadAllText(Path.Combine(book, "01_outputs.html")));
        Assert.DoesNotContain("jupyter trust", File.ReadAllText(Path.Combine(book, "02_tiny.html")));
    }

    [DebianJupyterFact]
    public void Every_written_ipynb_is_valid_nbformat()
    {
        string book = SharedFixtureBook.Folder;
        var notebooks = Directory.GetFiles(book, "*.ipynb", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(SharedFixtureBook.Notebooks.Length, notebooks.Count);
        Assert.Empty(DebianJupyter.SchemaProblems(notebooks));
    }

    [DebianJupyterFact]
    public void The_validator_rejects_a_broken_notebook()
    {
        // The check above can fail: a notebook whose code cell lacks its outputs is refused.
        string broken = Path.Combine(Path.GetTempPath(), $"camnb-broken-{Guid.NewGuid():N}.ipynb");
        File.WriteAllText(broken, """{"cells":[{"cell_type":"code","id":"a","metadata":{},"source":"1","execution_count":null}],"metadata":{},"nbformat":4,"nbformat_minor":5}""");
        try
        {
            Assert.Contains(DebianJupyter.SchemaProblems([broken]), p => p.StartsWith(broken, StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(broken);
        }
    }

    [Fact]
    public void Pictures_and_charts_survive_in_the_ipynb_as_the_page_shows_them()
    {
        string book = SharedFixtureBook.Folder;
        using var notebook = JsonDocument.Parse(File.ReadAllText(Path.Combine(book, "01_outputs.ipynb")));
        var data = notebook.RootElement.GetProperty("cells").EnumerateArray()
            .SelectMany(c => c.TryGetProperty("outputs", out var o) ? o.EnumerateArray() : Enumerable.Empty<JsonElement>())
            .Where(o => o.TryGetProperty("data", out _)).Select(o => o.GetProperty("data")).ToList();
        // Every PNG in the notebook is a real PNG, and the very picture the page shows.
        var pngs = data.Where(d => d.TryGetProperty("image/png", out _)).Select(d => Text(d.GetProperty("image/png"))).ToList();
        Assert.NotEmpty(pngs);
        string page = File.ReadAllText(Path.Combine(book, "01_outputs.html"));
        foreach (string png in pngs)
        {
            byte[] bytes = Convert.FromBase64String(png);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
            Assert.Contains($"data:image/png;base64,{Regex.Replace(png, @"\s+", "")}", page);
        }
        // Charts: the first carries plotly.js itself, so a viewer that runs the notebook's HTML needs no network.
        var charts = data.Where(d => d.TryGetProperty("text/html", out var h) && Text(h).Contains("Plotly.newPlot", StringComparison.Ordinal)).Select(d => Text(d.GetProperty("text/html"))).ToList();
        Assert.True(charts.Count >= 2, $"{charts.Count} charts in 01_outputs.ipynb");
        Assert.Contains("data-camnb-plotly", charts[0]);
        Assert.True(charts[0].Length > 3_000_000, "the first chart's output should embed plotly.js");
        // The copy says where it came from.
        Assert.Equal("notebooks/01_outputs.dib", notebook.RootElement.GetProperty("metadata").GetProperty(NotebookDownloads.MetadataKey).GetProperty("source").GetString());
    }

    [DebianJupyterFact]
    public async Task The_ipynb_as_a_notebook_viewer_shows_it_has_its_pictures_and_draws_its_charts_offline()
    {
        // nbconvert's HTML is what nbviewer serves; opened offline in Chromium, with the network cut off.
        string folder = Path.Combine(Path.GetTempPath(), "camnb-nbviewer-" + Guid.NewGuid().ToString("N"));
        var convert = ProcessRunner.Run(DebianJupyter.Jupyter,
            ["nbconvert", "--to", "html", "--output-dir", folder, Path.Combine(SharedFixtureBook.Folder, "01_outputs.ipynb")],
            Repository.Root, TimeSpan.FromMinutes(2));
        Assert.True(convert.ExitCode == 0, convert.ToString());
        string page = new Uri(Path.Combine(folder, "01_outputs.html")).AbsoluteUri;
        await using var browser = await LiveBrowser.LaunchAsync(page);
        var tab = await browser.OpenAsync(page);
        // The two Plotly.NET charts draw from the plotly.js the notebook carries; the PNG shows.
        await tab.WaitForFunctionAsync("() => ['camnb-plot-1', 'camnb-plot-2'].every(id => { const s = document.querySelector('#' + id + ' .main-svg'); return s && s.getBoundingClientRect().width > 0; })",
            null, new Microsoft.Playwright.PageWaitForFunctionOptions { Timeout = 30_000 });
        int pngs = await tab.EvaluateAsync<int>("() => [...document.querySelectorAll('img')].filter(i => i.src.startsWith('data:image/png') && i.complete && i.naturalWidth > 0).length");
        Assert.True(pngs >= 1, $"{pngs} PNG pictures shown");
        await tab.ScreenshotAsync(new() { Path = Path.Combine(BookFixtures.ScreenshotFolder, "fixture-01_outputs-nbconvert.png"), FullPage = true });
        // Only the fixture's deliberate remote loaders asked for the network (and were refused).
        Assert.All(browser.Problems.Where(p => p.StartsWith("request", StringComparison.Ordinal)), p => Assert.Matches(@"example\.com|require", p));
        output.WriteLine($"nbconvert page: charts drawn, {pngs} PNG shown; refused: {string.Join(", ", browser.Problems)}");
    }

    [Fact]
    public void A_rebuild_removes_the_copies_of_a_deleted_notebook_and_nothing_it_did_not_write()
    {
        string root = Path.Combine(Path.GetTempPath(), "camnb-downloads-" + Guid.NewGuid().ToString("N"));
        string book = Path.Combine(root, "book");
        Directory.CreateDirectory(Path.Combine(root, "notebooks"));
        string dib = Path.Combine(root, "notebooks", "02_tiny.dib");
        File.Copy(Path.Combine(BookFixtures.FixtureFolder, "02_tiny.dib"), dib);
        var source = new NotebookSource(dib, "02_tiny.dib", CamNotebooks.Book.Rendering.PageKind.Chapter);
        Assert.Equal(2, NotebookDownloads.Write(book, [(source, null, "the runner crashed")]));
        Assert.Contains("the runner crashed", File.ReadAllText(Path.Combine(book, "02_tiny.ipynb"))); // a valid notebook saying why
        Assert.Equal(0, NotebookDownloads.Write(book, [(source, null, "the runner crashed")])); // unchanged: nothing rewritten
        // Files the book did not write survive a rebuild, even beside its own.
        File.WriteAllText(Path.Combine(book, "mine.ipynb"), """{"cells":[],"metadata":{},"nbformat":4,"nbformat_minor":5}""");
        File.WriteAllText(Path.Combine(book, "mine.dib"), "mine");
        Assert.Equal(2, NotebookDownloads.Write(book, []));
        Assert.Equal(["mine.dib", "mine.ipynb"], Directory.GetFiles(book).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal).ToArray());
    }

    private static string Text(JsonElement value) => value.ValueKind == JsonValueKind.Array ? string.Concat(value.EnumerateArray().Select(l => l.GetString())) : value.GetString()!;

    [GeneratedRegex("""<a href="(?<href>[^"]+)" download""")]
    private static partial Regex DownloadLinks();
}
