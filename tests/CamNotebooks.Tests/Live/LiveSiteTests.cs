using CamNotebooks.Book.Live;
using CamNotebooks.Book.Rendering;

namespace CamNotebooks.Tests.Live;

/// <summary>The live loop's pages of the other notebooks, in process and without a kernel: what they say they hold.</summary>
public class LiveSiteTests
{
    private const string Meta = "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"aliases\":[],\"name\":\"csharp\"},{\"aliases\":[],\"name\":\"markdown\"}]}}\n\n";

    [Fact]
    public void The_page_of_a_notebook_the_book_has_not_run_says_so_and_offers_no_outputs()
    {
        string root = Path.Combine(Path.GetTempPath(), "camnb-live-site-" + Guid.NewGuid().ToString("N"), "notebooks");
        Directory.CreateDirectory(root);
        string Dib(string title) => Meta + $"#!markdown\n\n# {title}\n\n#!csharp\n\nConsole.WriteLine(\"printed\");\n\n";
        File.WriteAllText(Path.Combine(root, "01_live.dib"), Dib("The live one"));
        File.WriteAllText(Path.Combine(root, "02_other.dib"), Dib("Another one"));
        try
        {
            var site = new LiveSite(Path.Combine(root, "01_live.dib"));
            var other = site.ForPage("02_other.html");
            Assert.NotNull(other);
            string html = site.StaticPage(other, BookSettings.Default, site.PagePath);
            Assert.Contains("its cells without outputs (the book build has not run it yet)", html);
            Assert.DoesNotContain("with outputs", html); // was: "notebook with outputs (.ipynb)"
            Assert.Contains(">notebook without outputs (.ipynb)</a>", html);
            Assert.DoesNotContain("Executed from", html);
            // The note is the first thing in the page's content.
            Assert.Matches("<main id=\"content\">\\s*<div class=\"notebook-status not-live\" role=\"note\"><p><strong>Not live.</strong>", html);
            using var ipynb = System.Text.Json.JsonDocument.Parse(site.Ipynb(other)); // its .ipynb: the cells, no output
            Assert.All(ipynb.RootElement.GetProperty("cells").EnumerateArray().Where(c => c.GetProperty("cell_type").GetString() == "code"),
                cell => Assert.Equal(0, cell.GetProperty("outputs").GetArrayLength()));
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(root)!, recursive: true);
        }
    }

    [Fact]
    public void The_live_index_says_what_serves_it_and_the_books_index_what_built_it()
    {
        string root = Path.Combine(Path.GetTempPath(), "camnb-live-site-" + Guid.NewGuid().ToString("N"), "notebooks");
        Directory.CreateDirectory(root);
        File.WriteAllText(Path.Combine(root, "01_live.dib"), Meta + "#!markdown\n\n# The live one\n\n");
        try
        {
            string live = LiveServer.IndexPage(new LiveSite(Path.Combine(root, "01_live.dib")), BookSettings.Default);
            Assert.Matches("<main id=\"content\">\\s*<div class=\"notebook-status live\" role=\"note\"><p><a href=\"01_live.html\">01_live.dib</a> runs live", live);
            Assert.DoesNotContain("Every page was executed", live);
            Assert.Contains("Served by the live loop on this machine", live);
            string book = PageRenderer.IndexPage(BookSettings.Default, [LiveSite.PageOf(new CamNotebooks.Book.Building.NotebookSource(Path.Combine(root, "01_live.dib"), "01_live.dib", PageKind.Chapter))]);
            Assert.Contains("Every page was executed from the notebooks in <code>notebooks/</code> and works offline.", book);
            Assert.DoesNotContain("notebook-status", book);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(root)!, recursive: true);
        }
    }
}
