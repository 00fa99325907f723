using System.Text;
using CamNotebooks.Book.Notebooks;

namespace CamNotebooks.Book.Rendering;

/// <summary>Renders one executed notebook, or the index, to a complete offline HTML page.</summary>
public static class PageRenderer
{
    /// <summary>The name of the book's style sheet, at the book root.</summary>
    public const string StyleSheet = "book.css";

    /// <summary>Marks pages this program wrote, so a rebuild may delete its own stale pages and nothing else.</summary>
    public const string GeneratorMeta = "<meta name=\"generator\" content=\"CamNotebooks.Book\">";

    /// <summary>The inline scripts a page with charts carries after plotly.js, in order; the policy lists each by hash.</summary>
    private static readonly string[] ChartScripts = [PageScripts.PlotlyOffline, PageScripts.ChartFitting, PageScripts.RequireShim];

    // The browser enforces what the renderer promises: no script, style, image, font or connection from another host,
    // and no inline script but those the page lists by hash (its own and the ones its outputs draw charts with). A live
    // page adds its nonce to the scripts and may connect to the server it came from (its event stream).
    // file: and 'self' cover both opening the pages from disk and serving the folder locally.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self' file: {0}; style-src 'self' file: 'unsafe-inline'; " +
        "img-src 'self' file: data: blob:; font-src 'self' file: data:; connect-src {1}; frame-src 'none'; " +
        "object-src 'none'; base-uri 'none'; form-action 'none'";

    /// <summary>What a page served by the live loop has besides the book's page: its nonce, the live script, the event
    /// stream, the version it shows and the status bar.</summary>
    /// <param name="Nonce">The page's nonce: the live script carries it and gives it to the scripts of the cells it swaps in
    /// (a chart that appears after a save has a hash the loaded page never listed).</param>
    /// <param name="ScriptUrl">The live script's address on the live server.</param>
    /// <param name="EventsUrl">The address of the server's event stream, the one connection the page may open.</param>
    /// <param name="Version">The version of the notebook the page shows.</param>
    /// <param name="Status">The status bar's line.</param>
    /// <param name="StatusClass">The status bar's class: busy, problem or ready.</param>
    public sealed record LiveParts(string Nonce, string ScriptUrl, string EventsUrl, long Version, string Status, string StatusClass);

    /// <summary>The content of a notebook page, rendered but not yet laid out (so the title is known before links are made).</summary>
    /// <param name="Title">The first # heading's text, or null when there is none.</param>
    /// <param name="Body">The cells' HTML.</param>
    /// <param name="Toc">The headings, in order.</param>
    /// <param name="DrawsCharts">True when an output draws a Plotly chart.</param>
    /// <param name="FailedCell">The anchor of the cell that failed, or null.</param>
    /// <param name="Scripts">The inline scripts of the outputs, which the page's content policy allows by hash.</param>
    /// <param name="Executed">False when no run produced the cells (the notebook could not be run, or is shown from its
    /// source): the page then offers its .ipynb as one without outputs.</param>
    public sealed record RenderedNotebook(string? Title, string Body, IReadOnlyList<TocEntry> Toc, bool DrawsCharts, string? FailedCell = null,
        IReadOnlyList<string>? Scripts = null, bool Executed = true);

    /// <summary>A note at the top of a page's content, in a <c>notebook-status</c> panel (the live loop's "Not live." on
    /// the other notebooks' pages, its note on the index).</summary>
    /// <param name="Kind">The panel's class besides <c>notebook-status</c> (<c>live</c>, <c>not-live</c>).</param>
    /// <param name="Html">The panel's content, as HTML: whoever makes the note escapes the text it puts in.</param>
    public sealed record PageNote(string Kind, string Html);

    /// <summary>Renders the cells of <paramref name="notebook"/>; relative images resolve against <paramref name="notebookFolder"/>.</summary>
    public static RenderedNotebook RenderCells(ExecutedNotebook notebook, string? notebookFolder)
    {
        var ids = new HeadingIds(notebook.Cells.Select(CellAnchor).Append("content"));
        var markdown = new MarkdownRenderer(ids, notebookFolder);
        var outputSanitizer = BookSanitizer.Output();
        var body = new StringBuilder();
        var toc = new List<TocEntry>();
        bool drawsCharts = false;
        int failedAt = notebook.FirstError?.CellNumber ?? int.MaxValue;
        for (int i = 0; i < notebook.Cells.Count; i++)
        {
            var cell = notebook.Cells[i];
            string anchor = CellAnchor(cell);
            if (!cell.IsCode)
            {
                var rendered = markdown.Render(cell.Source);
                toc.AddRange(rendered.Headings);
                body.Append($"<section class=\"cell markdown\" id=\"{anchor}\">\n{rendered.Html}</section>\n");
                continue;
            }
            bool notRun = i + 1 > failedAt;
            bool failed = i + 1 == failedAt;
            string state = failed ? " failed" : notRun ? " not-run" : "";
            body.Append($"<section class=\"cell code{state}\" id=\"{anchor}\">\n");
            body.Append($"<div class=\"source\"><a class=\"cell-number\" href=\"#{anchor}\" title=\"Cell {i + 1}\">[{i + 1}]</a>")
                .Append(CodeHighlighter.ToHtml(cell.Source, "csharp")).Append("</div>\n");
            if (notRun)
                body.Append("<p class=\"not-run-note\">Not run: an earlier cell failed.</p>\n");
            bool quietSetup = SetupCell.IsQuietSetup(cell);
            if (quietSetup) body.Append(SetupCell.ToHtml(cell));
            var shown = quietSetup ? cell.Outputs.Where(o => !SetupCell.Folds(o)).ToList() : cell.Outputs;
            if (shown.Count > 0)
            {
                body.Append("<div class=\"outputs\">\n");
                foreach (var output in shown)
                {
                    body.Append(OutputRenderer.ToHtml(output, markdown, outputSanitizer, out bool draws)).Append('\n');
                    drawsCharts |= draws;
                }
                body.Append("</div>\n");
            }
            body.Append("</section>\n");
        }
        string? title = toc.FirstOrDefault(h => h.Level == 1)?.Text;
        string? failedCell = failedAt <= notebook.Cells.Count ? CellAnchor(notebook.Cells[failedAt - 1]) : null;
        return new RenderedNotebook(title, body.ToString(), toc, drawsCharts, failedCell, outputSanitizer.KeptScripts.ToList());
    }

    /// <summary>The anchor of a cell in its page (<c>cell-3</c>).</summary>
    public static string CellAnchor(NotebookCell cell) => HeadingIds.Slug(cell.Id);

    /// <summary>The complete page of <paramref name="page"/>, with links to <paramref name="previous"/> and <paramref name="next"/>.</summary>
    /// <param name="book">The book's title.</param>
    /// <param name="page">The page.</param>
    /// <param name="content">Its rendered cells.</param>
    /// <param name="previous">The page before it, or null.</param>
    /// <param name="next">The page after it, or null.</param>
    /// <param name="linkExplorer">Whether to point the reader to the explorer page (chapters about layers and methods).</param>
    /// <param name="live">The live loop's parts, for a page it serves; null for the book.</param>
    /// <param name="note">A note at the top of the content, or null.</param>
    public static string NotebookPage(BookSettings book, BookPage page, RenderedNotebook content, BookPage? previous, BookPage? next, bool linkExplorer = false,
        LiveParts? live = null, PageNote? note = null)
    {
        var html = new StringBuilder();
        string Link(string target) => Html.Escape(PageLinks.Relative(page.PagePath, target));
        Head(html, book, page.PagePath, page.Title, content.DrawsCharts, content.Scripts ?? [], live);
        html.Append($"<body class=\"notebook {page.Kind.ToString().ToLowerInvariant()}\">\n");
        if (live is not null)
            html.Append($"<div id=\"camnb-live-status\" role=\"status\" aria-live=\"polite\" class=\"{live.StatusClass}\" ")
                .Append("style=\"position:sticky;top:0;z-index:10;padding:.4em .8em;font:14px system-ui,sans-serif;border-bottom:1px solid #ccc;background:#f4f7fb\">")
                .Append(Encode(live.Status)).Append("</div>\n");
        html.Append("<a class=\"skip-link\" href=\"#content\">Skip to the content</a>\n");
        html.Append($"<header class=\"site-header\"><a class=\"home\" href=\"{Link("index.html")}\">{Encode(book.Title)}</a>")
            .Append($"<span class=\"track\">{(page.Kind == PageKind.Chapter ? "Chapter" : "Exercise")}</span></header>\n");
        Pager(html, page, previous, next, "top");
        var toc = content.Toc.Where(h => h.Level <= 3).ToList();
        if (toc.Count > 0 && toc[0].Level == 1 && toc[0].Text == content.Title) toc.RemoveAt(0); // the title is already at the top
        html.Append(toc.Count > 0 ? "<div class=\"layout\">\n" : "<div class=\"layout single\">\n");
        if (toc.Count > 0)
        {
            html.Append("<nav class=\"toc\" aria-label=\"Contents of this chapter\">\n<details open><summary>Contents</summary>\n");
            AppendToc(html, toc);
            html.Append("</details>\n</nav>\n");
        }
        html.Append("<main id=\"content\">\n");
        AppendNote(html, note);
        if (page.Failure is not null)
            html.Append("<div class=\"notebook-status failed\" role=\"alert\"><p><strong>This notebook failed.</strong> ")
                .Append(Encode(page.Failure)).Append("</p><p>")
                .Append(content.FailedCell is { } failedCell ? $"<a href=\"#{Encode(failedCell)}\">Go to the failing cell</a>: its error is shown there; later cells were not run." : "What broke is shown below.")
                .Append("</p></div>\n");
        html.Append(PageDownloads.Html(page, content.DrawsCharts, content.Executed));
        if (linkExplorer)
            html.Append($"<p class=\"explorer-link\">Try every layer and method on real photos, without a kernel: <a href=\"{Link(ExplorerSite.PagePath)}\">{ExplorerPage.Title}</a></p>\n");
        html.Append(content.Body);
        html.Append("</main>\n</div>\n");
        Pager(html, page, previous, next, "bottom");
        html.Append(content.Executed
            ? $"<footer class=\"site-footer\">Executed from <code>notebooks/{Encode(page.NotebookPath)}</code>.</footer>\n"
            : $"<footer class=\"site-footer\">From <code>notebooks/{Encode(page.NotebookPath)}</code>, not executed.</footer>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>A page for a notebook that could not be executed at all (bad input, crashed runner): it says what broke.</summary>
    public static RenderedNotebook ProblemContent(string title, string problem) => new(
        title,
        $"<h1>{Encode(title)}</h1>\n<div class=\"output error\" role=\"alert\"><p class=\"error-name\">The notebook could not be run.</p><pre class=\"error-message\">{OutputRenderer.Text(problem)}</pre></div>\n",
        [],
        false,
        Executed: false);

    /// <summary>The index page: the chapters, then the exercises, each with its title and status.</summary>
    /// <param name="book">The book's title.</param>
    /// <param name="pages">The notebooks' pages, in book order.</param>
    /// <param name="explorer">Whether the book has the explorer page.</param>
    /// <param name="note">A note at the top of the content, or null.</param>
    /// <param name="live">True for the index the live loop serves: its pages were not all executed, so its footer says what serves them.</param>
    public static string IndexPage(BookSettings book, IReadOnlyList<BookPage> pages, bool explorer = false, PageNote? note = null, bool live = false)
    {
        var html = new StringBuilder();
        Head(html, book, "index.html", book.Title, drawsCharts: false, []);
        html.Append("<body class=\"index\">\n<a class=\"skip-link\" href=\"#content\">Skip to the content</a>\n");
        html.Append($"<header class=\"site-header\"><span class=\"home\">{Encode(book.Title)}</span></header>\n");
        html.Append("<div class=\"layout single\">\n<main id=\"content\">\n");
        AppendNote(html, note);
        html.Append($"<h1>{Encode(book.Title)}</h1>\n");
        if (book.Subtitle is { Length: > 0 } subtitle) html.Append($"<p class=\"subtitle\">{Encode(subtitle)}</p>\n");
        int failed = pages.Count(p => p.Failure is not null);
        if (failed > 0)
            html.Append($"<div class=\"notebook-status failed\" role=\"alert\"><strong>{failed} notebook{(failed == 1 ? "" : "s")} failed</strong> in this build: {(failed == 1 ? "its page shows" : "their pages show")} the error.</div>\n");
        AppendTrack(html, "chapters", "Chapters", pages.Where(p => p.Kind == PageKind.Chapter).ToList());
        AppendTrack(html, "exercises", "Exercises", pages.Where(p => p.Kind == PageKind.Exercise).ToList());
        if (explorer)
            html.Append("<section class=\"track-list\" id=\"explore\">\n<h2>Explore</h2>\n<ol class=\"pages\">\n")
                .Append($"<li><a href=\"{ExplorerSite.PagePath}\">{ExplorerPage.Title}</a> <span class=\"file\">every layer and method on real photos, with the pointing score</span></li>\n")
                .Append("</ol>\n</section>\n");
        html.Append("</main>\n</div>\n");
        html.Append(live
            ? "<footer class=\"site-footer\">Served by the live loop on this machine (127.0.0.1 only): one notebook runs live, the others' pages are not live.</footer>\n"
            : failed == 0
                ? "<footer class=\"site-footer\">Every page was executed from the notebooks in <code>notebooks/</code> and works offline.</footer>\n"
                : "<footer class=\"site-footer\">The pages were executed from the notebooks in <code>notebooks/</code>, the failed ones as far as they ran, and work offline.</footer>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    private static void AppendNote(StringBuilder html, PageNote? note)
    {
        if (note is not null)
            html.Append($"<div class=\"notebook-status {Encode(note.Kind)}\" role=\"note\">").Append(note.Html).Append("</div>\n");
    }

    private static void AppendTrack(StringBuilder html, string id, string heading, IReadOnlyList<BookPage> pages)
    {
        if (pages.Count == 0) return;
        html.Append($"<section class=\"track-list\" id=\"{id}\">\n<h2>{heading}</h2>\n<ol class=\"pages\">\n");
        foreach (var page in pages)
        {
            html.Append($"<li{(page.Failure is null ? "" : " class=\"failed\"")}><a href=\"{Html.Escape(page.PagePath)}\">{Encode(page.Title)}</a>")
                .Append($" <span class=\"file\">{Encode(Path.GetFileName(page.NotebookPath))}</span>");
            if (page.Failure is not null) html.Append(" <span class=\"badge failed\">failed</span>");
            html.Append("</li>\n");
        }
        html.Append("</ol>\n</section>\n");
    }

    /// <summary>The page's head, with a content policy that runs only <paramref name="scripts"/> (by hash) and, with charts,
    /// plotly.js and the page's chart scripts; on a live page (<paramref name="live"/>), also the live script.</summary>
    internal static void Head(StringBuilder html, BookSettings book, string pagePath, string title, bool drawsCharts, IReadOnlyList<string> scripts,
        LiveParts? live = null)
    {
        string scriptSources = ScriptHashes.SourceList(drawsCharts ? [.. scripts, .. ChartScripts] : scripts);
        string policy = string.Format(System.Globalization.CultureInfo.InvariantCulture, ContentSecurityPolicy,
            live is null ? scriptSources : $"{scriptSources} 'nonce-{live.Nonce}'", live is null ? "'none'" : "'self'");
        string Link(string target) => Html.Escape(PageLinks.Relative(pagePath, target));
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append(GeneratorMeta).Append('\n')
            .Append($"<meta http-equiv=\"Content-Security-Policy\" content=\"{policy}\">\n")
            .Append($"<title>{Encode(title == book.Title ? title : $"{title} · {book.Title}")}</title>\n")
            .Append($"<link rel=\"stylesheet\" href=\"{Link(StyleSheet)}\">\n");
        if (drawsCharts)
        {
            html.Append($"<script src=\"{Link(BookAssets.PlotlyJsFileName)}\"></script>\n");
            foreach (string script in ChartScripts)
                html.Append("<script>").Append(script).Append("</script>\n");
        }
        if (live is not null)
            html.Append($"<meta name=\"camnb-live-version\" content=\"{live.Version}\">\n<meta name=\"camnb-live-events\" content=\"{Encode(live.EventsUrl)}\">\n")
                .Append($"<script src=\"{Encode(live.ScriptUrl)}\" nonce=\"{live.Nonce}\" defer></script>\n");
        html.Append("</head>\n");
    }

    private static void Pager(StringBuilder html, BookPage page, BookPage? previous, BookPage? next, string position)
    {
        string Link(BookPage target) => Html.Escape(PageLinks.Relative(page.PagePath, target.PagePath));
        html.Append($"<nav class=\"pager {position}\" aria-label=\"Previous and next\">");
        html.Append(previous is null ? "<span class=\"prev\"></span>" : $"<a class=\"prev\" rel=\"prev\" href=\"{Link(previous)}\"><span class=\"label\">Previous</span>{Encode(previous.Title)}</a>");
        html.Append($"<a class=\"up\" href=\"{Html.Escape(PageLinks.Relative(page.PagePath, "index.html"))}\">Contents</a>");
        html.Append(next is null ? "<span class=\"next\"></span>" : $"<a class=\"next\" rel=\"next\" href=\"{Link(next)}\"><span class=\"label\">Next</span>{Encode(next.Title)}</a>");
        html.Append("</nav>\n");
    }

    private static void AppendToc(StringBuilder html, IReadOnlyList<TocEntry> entries)
    {
        // Nested lists that follow the heading levels; a jump of more than one level opens only one list.
        int top = entries.Min(e => e.Level);
        var open = new Stack<int>();
        html.Append("<ol>");
        open.Push(top);
        bool itemOpen = false;
        foreach (var entry in entries)
        {
            int level = Math.Max(entry.Level, top);
            if (level > open.Peek() && itemOpen)
            {
                html.Append("<ol>");
                open.Push(level);
                itemOpen = false;
            }
            while (level < open.Peek() && open.Count > 1)
            {
                html.Append("</li></ol>");
                open.Pop();
            }
            if (itemOpen) html.Append("</li>");
            html.Append($"<li><a href=\"#{Html.Escape(entry.Id)}\">{Encode(entry.Text)}</a>");
            itemOpen = true;
        }
        if (itemOpen) html.Append("</li>");
        while (open.Count > 1) { html.Append("</ol></li>"); open.Pop(); }
        html.Append("</ol>\n");
    }

    private static string Encode(string text) => Html.Escape(text);
}
