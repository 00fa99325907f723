using System.Text;
using Markdig;
using Markdig.Renderers;
using Markdig.Renderers.Html;
using Markdig.Renderers.Html.Inlines;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace CamNotebooks.Book.Rendering;

/// <summary>A markdown cell rendered to HTML, with the headings it contains.</summary>
/// <param name="Html">The HTML.</param>
/// <param name="Headings">Its headings in order, with the ids written into <paramref name="Html"/>.</param>
public sealed record RenderedMarkdown(string Html, IReadOnlyList<TocEntry> Headings);

/// <summary>
/// Renders notebook markdown with Markdig (CommonMark plus tables, task lists, math, ...) for an offline page:
/// headings get page-unique ids, fenced code is highlighted, links to other notebooks point to their pages,
/// local images are embedded, nothing is loaded from another host, and raw HTML is sanitised.
/// </summary>
public sealed class MarkdownRenderer
{
    // Chosen extensions, not UseAdvancedExtensions(): that also turns video links into iframes from other hosts,
    // mermaid blocks into divs that need a script from a CDN, and numbers footnotes per cell (clashing ids on a page).
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseAlertBlocks()
        .UseAbbreviations()
        .UseCustomContainers()
        .UseDefinitionLists()
        .UseEmphasisExtras()
        .UseFigures()
        .UseGridTables()
        .UsePipeTables()
        .UseListExtras()
        .UseTaskLists()
        .UseMathematics()
        .UseAutoLinks()
        .UseGenericAttributes()
        .Build();

    private readonly HeadingIds _ids;
    private readonly string? _notebookFolder;
    private readonly BookSanitizer _sanitizer = BookSanitizer.Markdown();

    /// <summary>
    /// Creates a renderer for one page. <paramref name="ids"/> is shared by all cells of the page;
    /// <paramref name="notebookFolder"/> is where relative image paths are resolved (null: they are left alone).
    /// </summary>
    public MarkdownRenderer(HeadingIds ids, string? notebookFolder)
    {
        _ids = ids;
        _notebookFolder = notebookFolder;
    }

    /// <summary>Renders <paramref name="markdown"/>.</summary>
    public RenderedMarkdown Render(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        var headings = new List<TocEntry>();
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            string text = PlainText(heading.Inline);
            string id = _ids.Next(text);
            heading.GetAttributes().Id = id;
            headings.Add(new TocEntry(heading.Level, id, text));
        }

        using var writer = new StringWriter();
        var renderer = new HtmlRenderer(writer);
        Pipeline.Setup(renderer);
        renderer.ObjectRenderers.ReplaceOrAdd<CodeBlockRenderer>(new HighlightingCodeBlockRenderer());
        renderer.ObjectRenderers.ReplaceOrAdd<LinkInlineRenderer>(new OfflineLinkRenderer(_notebookFolder));
        renderer.Render(document);
        writer.Flush();
        // Raw HTML written inside markdown is allowed its formatting, images and links, and nothing active.
        return new RenderedMarkdown(_sanitizer.Sanitize(writer.ToString()), headings);
    }

    /// <summary>The text of a heading without its markup (code spans keep their text).</summary>
    public static string PlainText(ContainerInline? inline)
    {
        var text = new StringBuilder();
        void Walk(Inline? node)
        {
            for (; node is not null; node = node.NextSibling)
            {
                switch (node)
                {
                    case LiteralInline literal: text.Append(literal.Content.ToString()); break;
                    case CodeInline code: text.Append(code.Content); break;
                    case LineBreakInline: text.Append(' '); break;
                    case HtmlEntityInline entity: text.Append(entity.Transcoded.ToString()); break;
                    case ContainerInline container: Walk(container.FirstChild); break;
                }
            }
        }
        Walk(inline?.FirstChild);
        return text.ToString().Trim();
    }

    /// <summary>Fenced code in prose is highlighted like code cells.</summary>
    private sealed class HighlightingCodeBlockRenderer : HtmlObjectRenderer<CodeBlock>
    {
        protected override void Write(HtmlRenderer renderer, CodeBlock block)
        {
            string language = block is FencedCodeBlock fenced ? fenced.Info ?? "" : "";
            var code = new StringBuilder();
            foreach (var line in block.Lines.Lines.Take(block.Lines.Count)) code.Append(line.Slice.ToString()).Append('\n');
            renderer.EnsureLine();
            renderer.Write(CodeHighlighter.ToHtml(code.ToString(), language));
            renderer.EnsureLine();
        }
    }

    /// <summary>
    /// Images from other hosts are not loaded (the book loads nothing from the network); links to .dib notebooks point to
    /// their pages (or stay text when the notebook is not in the book); local images are embedded. Links to other hosts
    /// stay links: <see cref="BookSanitizer"/> makes them open in a new tab.
    /// </summary>
    private sealed class OfflineLinkRenderer(string? notebookFolder) : HtmlObjectRenderer<LinkInline>
    {
        private readonly LinkInlineRenderer _standard = new();

        protected override void Write(HtmlRenderer renderer, LinkInline link)
        {
            string url = link.GetDynamicUrl?.Invoke() ?? link.Url ?? "";
            if (link.IsImage)
            {
                if (OfflineHtml.IsExternal(url))
                {
                    renderer.Write("<span class=\"missing-image\">[image not shipped with the book: ");
                    renderer.WriteChildren(link);
                    renderer.Write("]</span>");
                    return;
                }
                if (notebookFolder is not null && LocalImage.TryDataUri(notebookFolder, url) is { } dataUri)
                    link.Url = dataUri;
                _standard.Write(renderer, link);
                return;
            }
            if (PageLinks.NotebookToPage(url) is { } page)
            {
                // A link to a notebook that is not in this book (not written yet, or renamed) would be a dead link: keep the text.
                string target = Uri.UnescapeDataString(url.Split('#')[0]);
                if (notebookFolder is not null && !File.Exists(Path.Combine(notebookFolder, target)))
                {
                    renderer.Write("<span class=\"missing-page\">");
                    renderer.WriteChildren(link);
                    renderer.Write("</span>");
                    return;
                }
                link.Url = page;
            }
            _standard.Write(renderer, link);
        }
    }
}
