using CamNotebooks.Book.Notebooks;
using CamNotebooks.Book.Rendering;

namespace CamNotebooks.Tests.Book;

/// <summary>HtmlSanitizer's policies for the book: prose keeps its formatting and loses anything active; outputs keep their chart scripts, listed by hash.</summary>
public class SanitizerTests
{
    private static string Markdown(string text) => new MarkdownRenderer(new HeadingIds(), null).Render(text).Html;

    [Theory]
    [InlineData("<script>location.href=\"http://127.0.0.1:9/x?t=\"+document.title</script>\n\ntext", "<script")]
    [InlineData("<meta http-equiv=\"refresh\" content=\"0;url=http://127.0.0.1:9/\">\n\ntext", "<meta")]
    [InlineData("[click](javascript:alert(1))", "javascript:")]
    [InlineData("<a href=\"JaVaScRiPt:alert(1)\">click</a>", "alert(1)")]
    [InlineData("<a href=\"data:text/html,<script>alert(1)</script>\">click</a>", "data:text/html")]
    [InlineData("<iframe src=\"http://127.0.0.1:9/frame\"></iframe>\n\ntext", "<iframe")]
    [InlineData("<img src=\"x.png\" onerror=\"fetch('http://127.0.0.1:9/')\">", "onerror")]
    [InlineData("<p onclick=\"alert(1)\" onmouseover=\"alert(2)\">hover</p>", "alert(")]
    [InlineData("<form action=\"http://127.0.0.1:9/\"><input name=\"q\"><button>go</button></form>\n\ntext", "<form")]
    [InlineData("<object data=\"http://127.0.0.1:9/x.swf\"></object><embed src=\"http://127.0.0.1:9/e\">\n\ntext", "127.0.0.1")]
    [InlineData("<img src=\"https://127.0.0.1:9/pixel.png\" alt=\"pixel\">", "127.0.0.1")]
    [InlineData("<div style=\"background-image: url(https://127.0.0.1:9/bg.png)\">x</div>", "127.0.0.1")]
    [InlineData("<style>@import url(https://127.0.0.1:9/a.css);</style>\n\ntext", "127.0.0.1")]
    [InlineData("<base href=\"http://127.0.0.1:9/\"><link rel=\"stylesheet\" href=\"http://127.0.0.1:9/s.css\">\n\ntext", "127.0.0.1")]
    [InlineData("<svg><script>alert(1)</script></svg>\n\ntext", "alert(1)")]
    public void Markdown_loses_everything_that_could_run_navigate_submit_or_load(string markdown, string gone)
    {
        string html = Markdown(markdown);
        Assert.DoesNotContain(gone, html, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(OfflineHtml.ExternalReferences(html));
    }

    [Fact]
    public void Markdown_keeps_its_formatting_images_and_links()
    {
        string html = Markdown("""
            ## A *heading*

            Some **bold**, `code` and a [paper](https://arxiv.org/abs/1512.04150). <span style="color: red">red</span>, <kbd>Ctrl</kbd>

            | a | b |
            |--:|---|
            | 1 | 2 |

            - [x] done
            - [ ] to do

            ![dot](data:image/png;base64,iVBORw==)

            ```csharp
            var x = 1;
            ```
            """);
        Assert.Contains("<h2 id=\"a-heading\">A <em>heading</em></h2>", html);
        Assert.Contains("<strong>bold</strong>", html);
        Assert.Contains("<a href=\"https://arxiv.org/abs/1512.04150\" target=\"_blank\" rel=\"noopener noreferrer\" class=\"external\">paper</a>", html);
        Assert.Contains("<span style=\"color: rgba(255, 0, 0, 1)\">red</span>", html);
        Assert.Contains("<kbd>Ctrl</kbd>", html);
        Assert.Contains("<th style=\"text-align: right\">a</th>", html);
        Assert.Contains("<input disabled=\"disabled\" type=\"checkbox\" checked=\"checked\">", html);
        Assert.Contains("<img src=\"data:image/png;base64,iVBORw==\" alt=\"dot\">", html);
        Assert.Contains("<span class=\"keyword\">var</span>", html);
    }

    /// <summary>A chart's HTML as the notebooks' formatter writes it (after the session's first, without plotly.js), and its drawing script.</summary>
    internal static (string Html, string Draw) Chart(string title = "a<br>b")
    {
        var chart = CamNotebooks.Display.PlotlyFigure.Chart([CamNotebooks.Display.PlotlyFigure.Trace("bar", ("y", new[] { 1, 2 }))],
            CamNotebooks.Display.PlotlyFigure.Layout(("title", new Dictionary<string, object> { ["text"] = title })));
        string html;
        lock (typeof(CamNotebooks.Display.PlotlyDisplay))
        {
            CamNotebooks.Display.PlotlyDisplay.ResetSession();
            CamNotebooks.Display.PlotlyDisplay.ToHtml(chart); // the first carries plotly.js
            html = CamNotebooks.Display.PlotlyDisplay.ToHtml(chart);
        }
        var draw = System.Text.RegularExpressions.Regex.Match(html, "<script type=\"text/javascript\">(.*)</script>", System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(draw.Success, html);
        return (html, draw.Groups[1].Value);
    }

    [Fact]
    public void An_xplot_chart_without_a_layout_keeps_its_drawing_script()
    {
        // XPlot writes `var layout = "";` when the chart has no layout: a JSON string, not an object.
        string html;
        lock (typeof(CamNotebooks.Display.PlotlyDisplay))
        {
            CamNotebooks.Display.PlotlyDisplay.ResetSession();
            CamNotebooks.Display.PlotlyDisplay.ToHtml(XPlot.Plotly.Chart.Line(new[] { 1.0, 4.0 })); // the first carries plotly.js
            html = CamNotebooks.Display.PlotlyDisplay.ToHtml(XPlot.Plotly.Chart.Line(new[] { 1.0, 4.0, 9.0, 16.0 }));
        }
        string draw = System.Text.RegularExpressions.Regex.Match(html, "<script type=\"text/javascript\">(.*)</script>",
            System.Text.RegularExpressions.RegexOptions.Singleline).Groups[1].Value;
        Assert.Contains("var layout = \"\";", draw);
        Assert.True(ChartScripts.IsChartScript(draw), draw);
        Assert.False(ChartScripts.IsChartScript(draw.Replace("var layout = \"\";", "var layout = \"\" + alert(1);")), "only a JSON value fills the hole");
    }

    [Fact]
    public void Output_html_keeps_its_inline_chart_script_verbatim_and_records_it()
    {
        var (chart, draw) = Chart();
        Assert.True(ChartScripts.IsChartScript(draw), draw);
        var sanitizer = BookSanitizer.Output();
        string html = sanitizer.Sanitize(
            $"<script type=\"text/javascript\" {OfflineHtml.PlotlyScriptMarker}=\"2.28.0\">/* plotly.js */</script>" +
            "<script src=\"https://cdn.example.com/require.js\"></script>" + chart +
            "<iframe src=\"http://127.0.0.1:9/\"></iframe><img src=\"x\" onerror=\"alert(1)\">");
        Assert.Contains($"<script type=\"text/javascript\">{draw}</script>", html);
        Assert.Equal([draw], sanitizer.KeptScripts);
        Assert.DoesNotContain("plotly.js */", html);
        Assert.DoesNotContain("cdn.example.com", html);
        Assert.DoesNotContain("iframe", html);
        Assert.DoesNotContain("onerror", html);
        Assert.Matches("id=\"camnb-plot-\\d+\"", html);
    }

    /// <summary>Issue 21, item 6: every inline script of an output used to be kept and listed by hash, so one navigated the page away.</summary>
    [Theory]
    [InlineData("location.href = 'http://127.0.0.1:9/away';")]
    [InlineData("Plotly.newPlot('camnb-plot-1', [], {}); location.href = 'http://127.0.0.1:9/away';")]
    [InlineData("XPLOT")]
    [InlineData("INJECTED")]
    [InlineData("OTHER-ID")]
    public void An_output_script_that_is_not_a_chart_formatters_is_removed(string script)
    {
        var (_, draw) = Chart();
        script = script switch
        {
            // The formatter's wrapper with code where the figure's data belongs, or drawing into another element.
            "INJECTED" => draw.Replace("var figure = {", "var figure = (location.href = 'http://127.0.0.1:9/away', {", StringComparison.Ordinal)
                .Replace("; Plotly.newPlot(", "); Plotly.newPlot(", StringComparison.Ordinal),
            "OTHER-ID" => System.Text.RegularExpressions.Regex.Replace(draw, "Plotly\\.newPlot\\('camnb-plot-\\d+'", "Plotly.newPlot('camnb-plot-999'"),
            "XPLOT" => "var data = [{\"y\": [1]}]; var layout = alert(1); Plotly.newPlot('camnb-plot-1', data, layout);",
            _ => script,
        };
        Assert.NotEqual(draw, script);
        Assert.False(ChartScripts.IsChartScript(script), script);
        var sanitizer = BookSanitizer.Output();
        string html = sanitizer.Sanitize($"<div id=\"camnb-plot-1\"></div><script type=\"text/javascript\">{script}</script><p>after</p>");
        Assert.DoesNotContain("<script", html);
        Assert.Empty(sanitizer.KeptScripts);
        Assert.Contains("<p>after</p>", html);
    }

    [Fact]
    public void An_xplot_chart_script_is_a_chart_formatters()
    {
        // PlotlyDisplay.ToHtml(PlotlyChart) wraps XPlot's GetPlottingJS: its data and layout JSON, then Plotly.newPlot.
        string script = "(function () { var tries = 0; function draw() { if (window.Plotly) { var data = [{\"type\":\"heatmap\",\"z\":[[1,2]]}];\n" +
                        "           var layout = {\"title\":\"x\"};\n           Plotly.newPlot('camnb-plot-3', data, layout); } else if (tries++ < 200) " +
                        "{ setTimeout(draw, 50); } else { document.getElementById('camnb-plot-3').textContent = 'plotly.js is not loaded: re-run the notebook " +
                        "from its first cell.'; } } draw(); })();";
        Assert.True(ChartScripts.IsChartScript(script));
    }

    /// <summary>Plotly.NET's own chart HTML with its require.js loader, as the fixture book's chart cell displays it.</summary>
    private static string RequireJsChartScript()
    {
        string fixture = File.ReadAllText(Path.Combine(BookFixtures.FixtureFolder, "01_outputs.dib"));
        var script = System.Text.RegularExpressions.Regex.Match(fixture, "<div id=\"camnb-plot-99\"[^\n]*\n<script type=\"text/javascript\">(.*?)</script>",
            System.Text.RegularExpressions.RegexOptions.Singleline);
        Assert.True(script.Success, "the fixture's require.js chart");
        return script.Groups[1].Value;
    }

    /// <summary>The fixture book's require.js chart was removed with the other scripts (and stayed blank) in the first try of item 6.</summary>
    [Fact]
    public void Plotly_nets_own_require_js_chart_script_is_a_chart_formatters_and_one_with_code_in_its_data_is_not()
    {
        string script = RequireJsChartScript();
        Assert.True(ChartScripts.IsChartScript(script), script);
        Assert.True(ChartScripts.IsChartScript(script.ReplaceLineEndings(" ")), "whitespace between tokens may differ");
        var sanitizer = BookSanitizer.Output();
        string html = sanitizer.Sanitize($"<div id=\"camnb-plot-99\"></div><script type=\"text/javascript\">{script}</script>");
        Assert.Single(sanitizer.KeptScripts);
        Assert.Contains("Plotly.newPlot('camnb-plot-99', data, layout, config);", html);
        foreach (string tampered in (string[])[
            script.Replace("var layout = {};", "var layout = {}; location.href = 'http://127.0.0.1:9/away';", StringComparison.Ordinal),
            script.Replace("var layout = {};", "var layout = (location.href = 'http://127.0.0.1:9/away', {});", StringComparison.Ordinal),
            script.Replace("[{\"type\":\"scatter\",\"y\":[1,3,2]}]", "[{\"type\":\"scatter\",\"y\":[1,3,2]}].map(alert)", StringComparison.Ordinal),
            script.Replace("renderPlotly_camnb99();\n}", "renderPlotly_camnb99(); alert(1);\n}", StringComparison.Ordinal),
            script.Replace("plotly-2.28.0.min'", "plotly-2.28.0.min' + alert(1) + '", StringComparison.Ordinal),
            script.Replace("Plotly.newPlot('camnb-plot-99'", "Plotly.newPlot('camnb-plot-99' + alert(1)", StringComparison.Ordinal),
        ])
        {
            Assert.NotEqual(script, tampered);
            Assert.False(ChartScripts.IsChartScript(tampered), tampered);
        }
    }

    [Fact]
    public void A_notebooks_first_chart_keeps_its_drawing_script_after_the_inline_plotly_js()
    {
        // The first chart of a session carries plotly.js inline (3.5 MB of script): it goes, the chart after it stays.
        var chart = CamNotebooks.Display.PlotlyFigure.Chart([CamNotebooks.Display.PlotlyFigure.Trace("bar", ("y", new[] { 1, 2 }))], CamNotebooks.Display.PlotlyFigure.Layout());
        string html;
        lock (typeof(CamNotebooks.Display.PlotlyDisplay))
        {
            CamNotebooks.Display.PlotlyDisplay.ResetSession();
            html = CamNotebooks.Display.PlotlyDisplay.ToHtml(chart);
        }
        Assert.Contains(OfflineHtml.PlotlyScriptMarker, html);
        var sanitizer = BookSanitizer.Output();
        string clean = sanitizer.Sanitize(html);
        Assert.Matches("<div id=\"camnb-plot-\\d+\"", clean);
        Assert.Contains("Plotly.newPlot", Assert.Single(sanitizer.KeptScripts));
        Assert.DoesNotContain("Copyright 2012", clean);
    }

    [Fact]
    public void The_page_policy_allows_exactly_its_own_and_its_outputs_scripts()
    {
        var (chart, draw) = Chart();
        var notebook = new ExecutedNotebook([
            new NotebookCell("cell-1", false, "# Chart\n\n<script>alert('prose')</script>", []),
            new NotebookCell("cell-2", true, "chart", [new DisplayOutput(new Dictionary<string, string> { ["text/html"] = chart })]),
            new NotebookCell("cell-3", true, "not a chart", [new DisplayOutput(new Dictionary<string, string> { ["text/html"] = "<script>alert('output')</script>" })]),
        ]);
        var content = PageRenderer.RenderCells(notebook, null);
        string page = PageRenderer.NotebookPage(new BookSettings("Book", ""), new BookPage("01_chart.dib", PageKind.Chapter, "Chart", null), content, null, null);
        string policy = System.Text.RegularExpressions.Regex.Match(page, "Content-Security-Policy\" content=\"([^\"]*)\"").Groups[1].Value;
        string scriptSources = policy.Split(';').Single(d => d.Trim().StartsWith("script-src", StringComparison.Ordinal));
        Assert.DoesNotContain("unsafe-inline", scriptSources);
        Assert.DoesNotContain("unsafe-eval", scriptSources);
        Assert.Contains(ScriptHashes.Source(draw), scriptSources);
        Assert.DoesNotContain("alert('prose')", page);
        Assert.DoesNotContain("alert('output')", page);
        // Every inline script of the page is listed, and nothing else is.
        var inline = System.Text.RegularExpressions.Regex.Matches(page, "<script(?![^>]*\\bsrc=)[^>]*>(.*?)</script>", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => ScriptHashes.Source(m.Groups[1].Value)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(4, inline.Count); // the chart, and the page's plotly wrapper, chart fitting and require.js stand-in
        Assert.Equal(inline, scriptSources.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(s => s.StartsWith("'sha256-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }
}
