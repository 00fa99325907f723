using CamNotebooks.Book.Building;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Tests.Notebooks;
using ExecutedNotebook = CamNotebooks.Tests.Notebooks.ExecutedNotebook;

namespace CamNotebooks.Tests.Book;

/// <summary>The book of the real notebooks in a real browser with the network cut off: it loads cleanly, lays out on a phone and a desktop.</summary>
[Collection(NotebookCollection.Name)]
public class RealBookTests
{
    [LinuxBrowserFact]
    public async Task The_book_of_the_real_notebooks_builds_and_reads_cleanly_offline()
    {
        // The notebooks were executed once for this test run, by the same runner the book starts ("Run All" twice, then the
        // chapters' cells last to first; the page shows the last Run All). Their executed copies go into a fresh cache, so
        // the book renders them instead of executing every notebook a second time; the fixture books test its execution.
        string cache = Path.Combine(Path.GetTempPath(), "camnb-real-book-cache-" + Guid.NewGuid().ToString("N"));
        var sources = NotebookSource.Discover(Repository.Notebooks);
        var executions = new ExecutionCache(cache, Repository.Root);
        foreach (var source in sources)
        {
            var executed = ExecutedNotebook.Get(source.RelativePath);
            Assert.True(executed.Outcome.ExitCode == 0, executed.Outcome.ToString());
            string copy = Path.Combine(cache, ".seed-" + Guid.NewGuid().ToString("N") + ".ipynb");
            Directory.CreateDirectory(cache);
            File.Copy(executed.IpynbPath, copy);
            executions.Store(source, copy, executions.KeyFor(source), succeeded: true);
        }
        string output = Path.Combine(Path.GetTempPath(), "camnb-real-book-" + Guid.NewGuid().ToString("N"));
        var outcome = ProcessRunner.Run("dotnet",
            ["exec", BookFixtures.BookAssembly, "build", "--notebooks", Repository.Notebooks, "--output", output, "--cache", cache, "--explorer-photos", "2"],
            Repository.Root, TimeSpan.FromMinutes(10));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains($"book: {Path.Combine(output, "index.html")}", outcome.StandardOutput);
        Assert.Contains($"executed 0, reused {sources.Count}, failed 0", outcome.StandardOutput);
        // The explorer's notebook ran against the built library (2 photos here, to stay quick) and its page is in the book.
        Assert.Contains("  ran      the explorer: ", outcome.StandardOutput);

        await using var browser = await BookBrowser.LaunchAsync();
        var problems = new List<string>();
        foreach (string page in Directory.GetFiles(output, "*.html", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileName(page);
            bool keep = name is "index.html" or ExplorerSite.PagePath || name.StartsWith("02_", StringComparison.Ordinal) || name.StartsWith("00_", StringComparison.Ordinal);
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
        Assert.Equal(notebooks + 2, Directory.GetFiles(output, "*.html", SearchOption.AllDirectories).Length); // and the index and the explorer
        // Beside every page, its executed notebook (schema-valid .ipynb) and its source; the visits above checked the links.
        Assert.Equal(notebooks, Directory.GetFiles(output, "*.dib", SearchOption.AllDirectories).Length);
        Assert.Empty(Jupyter.DebianJupyter.SchemaProblems(Directory.GetFiles(output, "*.ipynb", SearchOption.AllDirectories)));
    }
}
