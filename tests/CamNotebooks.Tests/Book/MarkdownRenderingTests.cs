using CamNotebooks.Book.Rendering;

namespace CamNotebooks.Tests.Book;

/// <summary>Markdown cells to HTML: Markdig's output, page-unique heading ids, highlighted code, offline links.</summary>
public class MarkdownRenderingTests
{
    private static MarkdownRenderer Renderer(string? folder = null) => new(new HeadingIds(), folder);

    [Fact]
    public void Commonmark_emphasis_lists_and_pipe_tables_become_html()
    {
        string html = Renderer().Render("Some *emphasis* and **strong** text.\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n").Html;
        Assert.Contains("<p>Some <em>emphasis</em> and <strong>strong</strong> text.</p>", html);
        Assert.Contains("<ul>\n<li>one</li>\n<li>two</li>\n</ul>", html);
        Assert.Contains("<th>a</th>", html);
        Assert.Contains("<td>2</td>", html);
    }

    [Fact]
    public void Headings_get_slug_ids_and_are_reported_for_the_table_of_contents()
    {
        var rendered = Renderer().Render("# 2. Class activation maps\n\n## The `hook` and its output\n\ntext\n");
        Assert.Contains("<h1 id=\"2-class-activation-maps\">2. Class activation maps</h1>", rendered.Html);
        Assert.Contains("<h2 id=\"the-hook-and-its-output\">The <code>hook</code> and its output</h2>", rendered.Html);
        Assert.Equal(
            [new TocEntry(1, "2-class-activation-maps", "2. Class activation maps"), new TocEntry(2, "the-hook-and-its-output", "The hook and its output")],
            rendered.Headings);
    }

    [Fact]
    public void Repeated_headings_in_different_cells_of_a_page_get_distinct_ids()
    {
        var ids = new HeadingIds(["cell-1"]);
        var renderer = new MarkdownRenderer(ids, null);
        var first = renderer.Render("## Exercise");
        var second = renderer.Render("## Exercise");
        var third = renderer.Render("## Cell 1");
        Assert.Equal("exercise", first.Headings.Single().Id);
        Assert.Equal("exercise-2", second.Headings.Single().Id);
        Assert.Equal("cell-1-2", third.Headings.Single().Id); // cell-1 is a reserved cell anchor
    }

    [Theory]
    [InlineData("Grad-CAM: why?", "grad-cam-why")]
    [InlineData("  Élan & café  ", "elan-cafe")]
    [InlineData("***", "section")]
    public void Slugs_keep_letters_and_digits_joined_by_dashes(string text, string expected) =>
        Assert.Equal(expected, HeadingIds.Slug(text));

    [Fact]
    public void Fenced_csharp_is_highlighted_on_the_server()
    {
        string html = Renderer().Render("```csharp\nvar x = \"a\"; // note\n```\n").Html;
        Assert.Contains("<pre class=\"code language-csharp\"><code><span class=\"keyword\">var</span> x = <span class=\"string\">\"a\"</span>; <span class=\"comment\">// note</span></code></pre>", html); // the sanitiser writes quotes in text as quotes
    }

    [Fact]
    public void Links_to_other_hosts_are_real_links_that_open_in_a_new_tab()
    {
        string html = Renderer().Render("Install [the SDK](https://dotnet.microsoft.com/download), see <https://example.com/a>.").Html;
        Assert.Contains("<a href=\"https://dotnet.microsoft.com/download\" target=\"_blank\" rel=\"noopener noreferrer\" class=\"external\">the SDK</a>", html);
        Assert.Contains("<a href=\"https://example.com/a\" target=\"_blank\" rel=\"noopener noreferrer\" class=\"external\">https://example.com/a</a>", html);
        Assert.Empty(OfflineHtml.ExternalReferences(html)); // a link is followed only when the reader clicks it
    }

    [Fact]
    public void Links_to_notebooks_point_to_their_pages()
    {
        string html = Renderer().Render("Back to [the setup](00_setup.dib#tensors) or [exercise 1](exercises/01_hooks.dib).").Html;
        Assert.Contains("<a href=\"00_setup.html#tensors\">the setup</a>", html);
        Assert.Contains("<a href=\"exercises/01_hooks.html\">exercise 1</a>", html);
    }

    [Fact]
    public void Local_images_are_embedded_and_remote_ones_are_not_referenced()
    {
        string folder = Path.Combine(Path.GetTempPath(), "camnb-md-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "dot.png"), [0x89, 0x50, 0x4E, 0x47]);
        string html = Renderer(folder).Render("![a dot](dot.png) ![remote](https://example.com/x.png)").Html;
        Assert.Contains("<img src=\"data:image/png;base64,iVBORw==\" alt=\"a dot\">", html);
        Assert.Contains("[image not shipped with the book: remote]", html);
        Assert.Empty(OfflineHtml.ExternalReferences(html));
    }

    [Fact]
    public void Raw_html_in_markdown_loads_nothing_from_another_host()
    {
        string html = Renderer().Render("<img src=\"https://example.com/logo.png\" alt=\"logo\">\n").Html;
        Assert.Contains("<img alt=\"logo\">", html);
        Assert.DoesNotContain("example.com", html);
    }
}
