using System.Text;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Book;

/// <summary>The book command as a user runs it: caching, failures, exit codes, and pages that refer to no other host.</summary>
[Collection(StockKernelCollection.Name)]
public class BookBuildTests
{
    [Fact]
    public void A_second_build_reuses_every_notebook_and_an_edited_one_alone_runs_again()
    {
        string root = BookFixtures.CreateRepository("02_tiny.dib", "exercises/01_first_exercise.dib");
        var first = BookFixtures.Build(root);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("executed 2, reused 0, failed 0", first.StandardOutput);
        var pagesAfterFirst = BookFixtures.ReadAll(Path.Combine(root, "book"));

        var second = BookFixtures.Build(root);
        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("reused   02_tiny.dib", second.StandardOutput);
        Assert.Contains("reused   exercises/01_first_exercise.dib", second.StandardOutput);
        Assert.Contains("executed 0, reused 2, failed 0", second.StandardOutput);
        Assert.Contains("(0 files changed)", second.StandardOutput);
        var pagesAfterSecond = BookFixtures.ReadAll(Path.Combine(root, "book"));
        Assert.Equal(pagesAfterFirst.Keys, pagesAfterSecond.Keys);
        foreach (var (name, bytes) in pagesAfterFirst) Assert.True(bytes.AsSpan().SequenceEqual(pagesAfterSecond[name]), $"{name} changed without a change to its notebook");

        // A new timestamp alone changes nothing: the cache follows content, not dates.
        string tiny = Path.Combine(root, "notebooks", "02_tiny.dib");
        File.SetLastWriteTimeUtc(tiny, DateTime.UtcNow.AddMinutes(5));
        var touched = BookFixtures.Build(root);
        Assert.Contains("executed 0, reused 2, failed 0", touched.StandardOutput);

        File.AppendAllText(tiny, "\n#!markdown\n\nAn edit.\n");
        var edited = BookFixtures.Build(root);
        Assert.True(edited.ExitCode == 0, edited.ToString());
        Assert.Contains("running  02_tiny.dib", edited.StandardOutput);
        Assert.Contains("reused   exercises/01_first_exercise.dib", edited.StandardOutput);
        Assert.Contains("executed 1, reused 1, failed 0", edited.StandardOutput);
        Assert.Contains("An edit.", File.ReadAllText(Path.Combine(root, "book", "02_tiny.html")));

        // The library the notebooks load is part of every key: a new build of it runs everything again.
        File.AppendAllText(Path.Combine(root, "artifacts", "notebook-lib", "CamNotebooks.dll"), "changed");
        var rebuiltLibrary = BookFixtures.Build(root);
        Assert.Contains("executed 2, reused 0", rebuiltLibrary.StandardOutput);
    }

    [Fact]
    public void A_failing_notebook_fails_the_build_and_its_page_shows_the_error()
    {
        var outcome = SharedFixtureBook.Outcome;
        Assert.True(outcome.ExitCode == 1, outcome.ToString());
        Assert.Contains("error: 03_fails.dib failed: 03_fails.dib: cell 3 failed", outcome.StandardError);
        Assert.Contains("the book fixture failed on purpose", outcome.StandardError);
        Assert.Contains($"book: {Path.Combine(SharedFixtureBook.Folder, "index.html")}", outcome.StandardOutput);

        string page = File.ReadAllText(Path.Combine(SharedFixtureBook.Folder, "03_fails.html"));
        Assert.Contains("<strong>This notebook failed.</strong>", page);
        Assert.Contains("<section class=\"cell code failed\" id=\"cell-3\">", page);
        Assert.Matches("<div class=\"output error\" role=\"alert\">.*the book fixture failed on purpose", page);
        Assert.Contains("<section class=\"cell code not-run\" id=\"cell-4\">", page);
        Assert.Contains("<span class=\"badge failed\">failed</span>", File.ReadAllText(Path.Combine(SharedFixtureBook.Folder, "index.html")));
        // Other notebooks still get their pages.
        Assert.True(File.Exists(Path.Combine(SharedFixtureBook.Folder, "02_tiny.html")));
    }

    [Fact]
    public void A_failed_notebook_is_never_reused_from_the_cache()
    {
        string root = BookFixtures.CreateRepository("03_fails.dib");
        Assert.Equal(1, BookFixtures.Build(root).ExitCode);
        var again = BookFixtures.Build(root);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("running  03_fails.dib", again.StandardOutput);
        Assert.Contains("executed 1, reused 0, failed 1", again.StandardOutput);
    }

    [Fact]
    public void No_page_refers_to_another_host_and_the_assets_sit_beside_the_pages()
    {
        string book = SharedFixtureBook.Folder;
        var pages = Directory.GetFiles(book, "*.html", SearchOption.AllDirectories);
        Assert.Equal(6, pages.Length);
        foreach (string page in pages)
        {
            string html = File.ReadAllText(page);
            Assert.True(OfflineHtml.ExternalReferences(html).Count == 0, $"{page}: {string.Join(", ", OfflineHtml.ExternalReferences(html))}");
            Assert.DoesNotContain(OfflineHtml.PlotlyScriptMarker, html);
        }
        string outputs = File.ReadAllText(Path.Combine(book, "01_outputs.html"));
        Assert.Contains("<script src=\"plotly-2.28.0.min.js\"></script>", outputs);
        Assert.DoesNotContain("cdn.example.com/require.min.js\"></script>", outputs);
        Assert.DoesNotContain("<img src=\"https://example.com/tracker.png\"", outputs); // (the cell's source still shows the address)
        Assert.Contains("<img alt=\"remote\">", outputs);
        Assert.Contains("<table class=\"fixture-table\">", outputs);
        Assert.Contains("<pre class=\"output stream stderr\">printed to stderr\n</pre>", outputs);
        Assert.DoesNotContain("<script src=\"plotly", File.ReadAllText(Path.Combine(book, "02_tiny.html"))); // no chart, no plotly.js
        Assert.Contains("<script src=\"plotly-2.28.0.min.js\"></script>", File.ReadAllText(Path.Combine(book, "00_setup.html")));
        Assert.Contains("href=\"../book.css\"", File.ReadAllText(Path.Combine(book, "exercises", "01_first_exercise.html")));
        Assert.True(new FileInfo(Path.Combine(book, "plotly-2.28.0.min.js")).Length > 3_000_000);
        Assert.Contains("MIT", File.ReadAllText(Path.Combine(book, "plotly-2.28.0.min.js.LICENSE.txt")), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Rendering_the_executed_fixture_book_again_reproduces_it_byte_for_byte()
    {
        var before = BookFixtures.ReadAll(SharedFixtureBook.Folder);
        string copy = Path.Combine(Path.GetTempPath(), "camnb-again-" + Guid.NewGuid().ToString("N"));
        var outcome = BookFixtures.Build(SharedFixtureBook.Root, "--output", copy);
        // The failing fixture runs again (failures are not cached); everything else is reused.
        Assert.Contains("executed 1, reused 4, failed 1", outcome.StandardOutput);
        var after = BookFixtures.ReadAll(copy);
        Assert.Equal(before.Keys, after.Keys);
        foreach (var (name, bytes) in before)
            Assert.True(bytes.AsSpan().SequenceEqual(after[name]), $"{name} differs: {Encoding.UTF8.GetString(bytes).Length} vs {Encoding.UTF8.GetString(after[name]).Length} chars");
    }

    [Theory]
    [InlineData(new string[0], "Required command was not provided")]
    [InlineData(new[] { "publish" }, "Unrecognized command or argument 'publish'")]
    [InlineData(new[] { "build", "--notebooks", "/no/such/folder" }, "does not exist")]
    [InlineData(new[] { "build", "--colour", "red" }, "Unrecognized command or argument '--colour'")]
    [InlineData(new[] { "build", "--timeout", "soon" }, "--timeout takes a positive number of minutes")]
    public void Bad_command_lines_are_refused_with_exit_code_2(string[] arguments, string expected)
    {
        var outcome = ProcessRunner.Run("dotnet", ["exec", BookFixtures.BookAssembly, .. arguments], Repository.Root, TimeSpan.FromMinutes(2));
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(expected, outcome.StandardError + outcome.StandardOutput);
    }
}
