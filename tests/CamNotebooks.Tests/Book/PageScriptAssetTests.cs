using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using CamNotebooks.Book.Live;
using CamNotebooks.Book.Notebooks;
using CamNotebooks.Book.Rendering;
using Repository = CamNotebooks.Tests.Notebooks.Repository;

namespace CamNotebooks.Tests.Book;

/// <summary>
/// The page scripts live in files beside book.css (lib/CamNotebooks.Book/Assets/*.js): each page carries them byte for
/// byte as the files hold them, and its content policy lists each by the hash of the file's bytes.
/// </summary>
public partial class PageScriptAssetTests
{
    private static byte[] Asset(string name) => File.ReadAllBytes(Path.Combine(Repository.Root, "lib", "CamNotebooks.Book", "Assets", name));

    private static string HashSource(byte[] bytes) => $"'sha256-{Convert.ToBase64String(SHA256.HashData(bytes))}'";

    /// <summary>The page's inline scripts (those without src), as UTF-8 bytes.</summary>
    private static List<byte[]> InlineScripts(string page) =>
        InlineScript().Matches(page).Select(m => Encoding.UTF8.GetBytes(m.Groups[1].Value)).ToList();

    private static string[] ScriptSources(string page)
    {
        string policy = Policy().Match(page).Groups[1].Value;
        return policy.Split(';').Single(d => d.Trim().StartsWith("script-src ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
    }

    private static void AssertCarries(string page, string asset)
    {
        byte[] file = Asset(asset);
        Assert.Single(InlineScripts(page), script => script.AsSpan().SequenceEqual(file));
        Assert.Contains(HashSource(file), ScriptSources(page));
    }

    [Theory]
    [InlineData("plotly-offline.js")]
    [InlineData("chart-fitting.js")]
    [InlineData("require-shim.js")]
    public void A_chart_page_carries_its_scripts_as_their_files_hold_them_and_lists_each_by_the_files_hash(string asset)
    {
        var notebook = new ExecutedNotebook([new NotebookCell("cell-1", false, "# Chart", [])]);
        var content = PageRenderer.RenderCells(notebook, null) with { DrawsCharts = true };
        string page = PageRenderer.NotebookPage(BookSettings.Default, new BookPage("01_chart.dib", PageKind.Chapter, "Chart", null), content, null, null);
        AssertCarries(page, asset);
        Assert.Equal(3, InlineScripts(page).Count); // nothing but the three page scripts
    }

    [Fact]
    public void The_explorer_page_carries_its_script_as_its_file_holds_it_and_lists_it_by_the_files_hash()
    {
        var site = new ExplorerSite("unused", ["cat", "dog"], [new ExplorerSitePhoto("a.jpg", 0, [0.9, 0.1], [10, 10, 100, 100])],
            [new ExplorerSiteLayer("body.layer4", "layer4")], [new ExplorerSiteMethod("Grad-CAM", 1, null, 2)],
            [new ExplorerSiteMap(0, 0, "body.layer4", "Grad-CAM", 1, 50, 50, "0.jpg")], 1);
        string page = ExplorerPage.Render(BookSettings.Default, site);
        AssertCarries(page, "explorer.js");
        // Every inline script of the page (the data and the script) is listed by its hash, and nothing else.
        Assert.Equal(InlineScripts(page).Select(HashSource).Order(StringComparer.Ordinal),
            ScriptSources(page).Where(s => s.StartsWith("'sha256-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_live_page_is_the_books_page_with_the_live_parts_and_its_script_is_its_file()
    {
        var notebook = new ExecutedNotebook([new NotebookCell("cell-1", false, "# Live", [])]);
        var content = PageRenderer.RenderCells(notebook, null) with { DrawsCharts = true };
        var page = new BookPage("exercises/01_live.dib", PageKind.Exercise, "Live", null);
        var live = new PageRenderer.LiveParts("bm9uY2U=", "/" + LivePage.ScriptPath, LivePage.EventsPath, 7, "Running cell 1 of 2 <now>", "busy");
        string html = PageRenderer.NotebookPage(BookSettings.Default, page, content, null, null, live: live);
        foreach (string asset in (string[])["plotly-offline.js", "chart-fitting.js", "require-shim.js"]) AssertCarries(html, asset);
        Assert.Contains("'nonce-bm9uY2U='", ScriptSources(html));
        Assert.Contains("; connect-src 'self'; ", Policy().Match(html).Groups[1].Value);
        Assert.Contains("<meta name=\"camnb-live-version\" content=\"7\">\n<meta name=\"camnb-live-events\" content=\"/events\">\n" +
                        "<script src=\"/camnb-live.js\" nonce=\"bm9uY2U=\" defer></script>\n</head>", html);
        Assert.Matches("<body class=\"notebook exercise\">\n<div id=\"camnb-live-status\" role=\"status\" aria-live=\"polite\" class=\"busy\" [^>]*>Running cell 1 of 2 &lt;now&gt;</div>\n<a class=\"skip-link\"", html);
        // The script the live server serves is the file, byte for byte; the book's page has none of the live parts.
        Assert.Equal(Asset("live.js"), Encoding.UTF8.GetBytes(LivePage.Script));
        string book = PageRenderer.NotebookPage(BookSettings.Default, page, content, null, null);
        Assert.DoesNotContain("camnb-live", book);
        Assert.DoesNotContain("nonce", book);
        Assert.Contains("; connect-src 'none'; ", Policy().Match(book).Groups[1].Value);
    }

    [GeneratedRegex("<script(?![^>]*\\bsrc=)[^>]*>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex InlineScript();

    [GeneratedRegex("Content-Security-Policy\" content=\"([^\"]*)\"")]
    private static partial Regex Policy();
}
