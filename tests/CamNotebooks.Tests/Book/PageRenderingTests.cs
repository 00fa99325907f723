using System.Text;
using CamNotebooks.Book.Building;
using CamNotebooks.Book.Notebooks;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Display;

namespace CamNotebooks.Tests.Book;

/// <summary>Executed notebooks to pages, in process: contents, outputs, failures, offline rewriting, reproducibility.</summary>
public class PageRenderingTests
{
    private const string OnePixelPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

    private static NotebookCell Markdown(int n, string text) => new($"cell-{n}", false, text, []);

    private static NotebookCell Code(int n, string code, params CellOutput[] outputs) => new($"cell-{n}", true, code, outputs);

    private static readonly BookSettings Settings = new("Test Book", "A subtitle");

    private static ExecutedNotebook Sample() => new([
        Markdown(1, "# 2. Class activation maps\n\nIntro."),
        Markdown(2, "## Hooks\n\n### Forward hooks"),
        Code(3, "Console.WriteLine(\"<hi>\");", new StreamOutput("stdout", "<hi>\n"), new StreamOutput("stderr", "\u001b[31mwarning\u001b[0m\n")),
        Markdown(4, "## Heatmaps"),
        Code(5, "heatmap", new DisplayOutput(new Dictionary<string, string> { ["image/png"] = OnePixelPng, ["text/plain"] = "Image" })),
    ]);

    private static BookPage PageOf(string path, string title, string? failure = null) => new(path, PageKind.Chapter, title, failure);

    [Fact]
    public void The_table_of_contents_nests_the_chapter_headings_and_leaves_out_the_title()
    {
        var content = PageRenderer.RenderCells(Sample(), null);
        Assert.Equal("2. Class activation maps", content.Title);
        string page = PageRenderer.NotebookPage(Settings, PageOf("02_cam.dib", content.Title!), content, null, null);
        Assert.Contains("<ol><li><a href=\"#hooks\">Hooks</a><ol><li><a href=\"#forward-hooks\">Forward hooks</a></li></ol></li><li><a href=\"#heatmaps\">Heatmaps</a></li></ol>", page);
        Assert.Contains("<h2 id=\"hooks\">Hooks</h2>", page);
        Assert.Contains("<title>2. Class activation maps · Test Book</title>", page);
    }

    [Fact]
    public void Outputs_appear_as_the_kernel_produced_them()
    {
        var content = PageRenderer.RenderCells(Sample(), null);
        Assert.Contains("<pre class=\"output stream stdout\">&lt;hi&gt;\n</pre>", content.Body);
        Assert.Contains("<pre class=\"output stream stderr\">warning\n</pre>", content.Body); // ANSI colour codes dropped
        Assert.Contains($"<img src=\"data:image/png;base64,{OnePixelPng}\" alt=\"image output\">", content.Body); // image preferred to text/plain
        Assert.Contains("<pre class=\"code language-csharp\"><code>Console.WriteLine(<span class=\"string\">&quot;&lt;hi&gt;&quot;</span>);</code></pre>", content.Body);
        Assert.False(content.DrawsCharts);
    }

    [Theory]
    [InlineData("#!import ../artifacts/notebook-lib/setup.csx")] // every notebook's first cell
    [InlineData("#!import ../../../artifacts/notebook-lib/setup.csx\n")] // an exercise's solution
    [InlineData("#r \"nuget: TorchSharp-cpu, 0.107.0\"\n#r \"../artifacts/notebook-lib/CamNotebooks.dll\"\n\nConsole.WriteLine(CamNotebooks.CamEnvironment.Initialize());")] // spelled out
    [InlineData("#r \"nuget: XPlot.Plotly, 4.1.0\"\n#r \"nuget: Plotly.NET, 6.0.0\"\n")] // a chapter's extra packages
    public void The_setup_cell_shows_one_line_and_folds_the_packages_and_the_report_without_machine_paths(string source)
    {
        var packages = new DisplayOutput(new Dictionary<string, string> { ["text/html"] = "<div><div></div><div><strong>Installed Packages</strong><ul><li><span>Plotly.NET, 6.0.0</span></li><li><span>TorchSharp-cpu, 0.107.0</span></li></ul></div></div>" });
        var report = new StreamOutput("stdout", "libtorch 2.10.0.0. /usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30 lacks GLIBCXX_3.4.32; loaded the patched copy /home/ada/.cache/camnotebooks/native/cf33b1b0-b9e5/libLibTorchSharp.so. OpenMP waiting: GOMP_SPINCOUNT=10000.\n");
        var chart = new DisplayOutput(new Dictionary<string, string> { ["text/html"] = SanitizerTests.Chart().Html });
        var quiet = PageRenderer.RenderCells(new ExecutedNotebook([Markdown(1, "# Setup"), Code(2, source, packages, report, chart)]), null).Body;
        Assert.Matches("<div id=\"camnb-plot-\\d+\"[^>]*></div>\\s*<script type=\"text/javascript\">\\(function", quiet); // what the cell shows besides is kept
        Assert.Contains("Plotly.newPlot('camnb-plot-", quiet);
        Assert.Contains("<details class=\"setup-details\"><summary>Set up: 2 packages, libtorch 2.10.0.0</summary>", quiet);
        Assert.Contains("<li>Plotly.NET, 6.0.0</li><li>TorchSharp-cpu, 0.107.0</li>", quiet);
        Assert.Contains("libstdc++.so.6.0.30 lacks GLIBCXX_3.4.32; loaded the patched copy libLibTorchSharp.so. OpenMP waiting", quiet);
        Assert.DoesNotContain("/home/ada", quiet);
        Assert.DoesNotContain("/usr/lib", quiet);
        Assert.DoesNotContain("Installed Packages", quiet);

        // A set-up cell that failed or complained is shown in full.
        var error = new ErrorOutput("Error", "CamNotebooks.Setup.NativeSetupException: cannot write /home/ada/.cache", []);
        var failed = PageRenderer.RenderCells(new ExecutedNotebook([Code(1, source, packages, error)]), null).Body;
        Assert.Contains("Installed Packages", failed);
        Assert.Contains("NativeSetupException: cannot write /home/ada/.cache", failed);
        var warned = PageRenderer.RenderCells(new ExecutedNotebook([Code(1, source, packages, new StreamOutput("stderr", "warning: slow disk\n"))]), null).Body;
        Assert.Contains("<pre class=\"output stream stderr\">warning: slow disk\n</pre>", warned);
    }

    [Theory]
    [InlineData("#!import ../artifacts/notebook-lib/other.csx")]
    [InlineData("#!import ../artifacts/notebook-lib/setup.csx\nConsole.WriteLine(1);")]
    [InlineData("Console.WriteLine(CamNotebooks.CamEnvironment.Initialize());")]
    [InlineData("#r \"nuget: XPlot.Plotly, 4.1.0\"\nXPlot.Plotly.Chart.Line(new[] { 1.0 })")]
    [InlineData("#r \"../artifacts/notebook-lib/CamNotebooks.dll\"")]
    public void Other_cells_that_resemble_the_setup_show_their_outputs_in_full(string source)
    {
        var packages = new DisplayOutput(new Dictionary<string, string> { ["text/html"] = "<div><strong>Installed Packages</strong><ul><li><span>Plotly.NET, 6.0.0</span></li></ul></div>" });
        string body = PageRenderer.RenderCells(new ExecutedNotebook([Code(1, source, packages, new StreamOutput("stdout", "libtorch 2.10.0.0.\n"))]), null).Body;
        Assert.DoesNotContain("setup-details", body);
        Assert.Contains("Installed Packages", body);
    }

    [Fact]
    public void Text_laid_out_in_columns_keeps_its_lines_and_prose_wraps()
    {
        var table = new DisplayOutput(new Dictionary<string, string> { ["text/plain"] = "Faithfulness on 8 photos:\nepoch  train_loss  valid_loss\n    1      0.7756      0.1307\n    2      0.1145      0.1159\nA note & more." });
        var prose = new StreamOutput("stdout", "Features in 33.0 s, head in 0.40 s.\nValidation errors: 1 of 74 photos (error rate 0.0135)\n");
        var body = PageRenderer.RenderCells(new ExecutedNotebook([Code(1, "train", table, prose)]), null).Body;
        Assert.Contains("<pre class=\"output text tabular\">Faithfulness on 8 photos:\n<span class=\"rows\">epoch  train_loss  valid_loss\n    1      0.7756      0.1307\n    2      0.1145      0.1159\n</span>A note &amp; more.</pre>", body);
        Assert.Contains("<pre class=\"output stream stdout\">Features in", body);
    }

    [Fact]
    public void A_failed_cell_shows_its_error_and_later_cells_are_marked_not_run()
    {
        var notebook = new ExecutedNotebook([
            Markdown(1, "# Fails"),
            Code(2, "1", new DisplayOutput(new Dictionary<string, string> { ["text/plain"] = "1" })),
            Code(3, "throw", new ErrorOutput("Error", "System.InvalidOperationException: broke", ["   at Submission#2.<Initialize>()", "\u001b[0;31m--->\u001b[0m end"])),
            Code(4, "never"),
        ]);
        Assert.Equal(3, notebook.FirstError?.CellNumber);
        var content = PageRenderer.RenderCells(notebook, null);
        Assert.Contains("<section class=\"cell code failed\" id=\"cell-3\">", content.Body);
        Assert.Contains("<div class=\"output error\" role=\"alert\"><p class=\"error-name\">Error</p><pre class=\"error-message\">System.InvalidOperationException: broke</pre><pre class=\"traceback\">   at Submission#2.&lt;Initialize&gt;()\n---&gt; end</pre></div>", content.Body);
        Assert.Contains("<section class=\"cell code not-run\" id=\"cell-4\">", content.Body);
        string page = PageRenderer.NotebookPage(Settings, PageOf("03_fails.dib", "Fails", "cell 3 failed"), content, null, null);
        Assert.Contains("<p><strong>This notebook failed.</strong> cell 3 failed</p><p><a href=\"#cell-3\">Go to the failing cell</a>", page);
        Assert.Contains("<div class=\"layout single\">", page); // only a title, so no contents column
    }

    [Fact]
    public void Charts_lose_their_inline_plotly_js_and_the_page_loads_the_copy_beside_it()
    {
        string chart = $"<script type=\"text/javascript\" {PlotlyDisplay.ScriptMarker}=\"{PlotlyDisplay.PlotlyJsVersion}\">/* plotly.js */ var x = 1;</script>\n<div id=\"camnb-plot-1\" style=\"\"></div>\n<script type=\"text/javascript\">Plotly.newPlot('camnb-plot-1', [], {{}});</script>";
        var notebook = new ExecutedNotebook([Markdown(1, "# Chart"), Code(2, "chart", new DisplayOutput(new Dictionary<string, string> { ["text/html"] = chart }))]);
        var content = PageRenderer.RenderCells(notebook, null);
        Assert.True(content.DrawsCharts);
        Assert.DoesNotContain("/* plotly.js */", content.Body);
        Assert.Matches("<div id=\"camnb-plot-1\"[^>]*></div>", content.Body);
        string page = PageRenderer.NotebookPage(Settings, PageOf("exercises/01_chart.dib", "Chart"), content, null, null);
        Assert.Contains("<script src=\"../plotly-2.28.0.min.js\"></script>", page); // relative to a page one folder down
        Assert.Contains("<link rel=\"stylesheet\" href=\"../book.css\">", page);
    }

    [Fact]
    public void The_book_ships_the_same_plotly_js_as_the_notebooks()
    {
        Assert.Equal(PlotlyDisplay.PlotlyJsVersion, BookAssets.PlotlyJsVersion);
        Assert.Equal(PlotlyDisplay.ScriptMarker, OfflineHtml.PlotlyScriptMarker);
        var files = BookAssets.Files();
        Assert.Equal(PlotlyDisplay.PlotlyJsSource, Encoding.UTF8.GetString(files[BookAssets.PlotlyJsFileName]));
        Assert.Equal(PlotlyDisplay.PlotlyJsLicense, Encoding.UTF8.GetString(files[BookAssets.PlotlyLicenseFileName]));
    }

    [Theory]
    [InlineData("<script src=\"https://cdn.plot.ly/plotly-2.27.1.min.js\"></script><p>x</p>", "<p>x</p>")]
    [InlineData("<link rel=\"stylesheet\" href=\"//cdn.example.com/a.css\"><p>x</p>", "<p>x</p>")]
    [InlineData("<img src='http://example.com/a.png' alt=\"a\">", "<img alt=\"a\">")]
    [InlineData("<a href=https://example.com>x</a>", "<a href=\"https://example.com\" target=\"_blank\" rel=\"noopener noreferrer\" class=\"external\">x</a>")]
    [InlineData("<img src=\"data:image/png;base64,AAAA\"><a href=\"02_cam.html#x\">local</a>", "<img src=\"data:image/png;base64,AAAA\"><a href=\"02_cam.html#x\">local</a>")]
    public void Output_html_never_makes_the_browser_reach_another_host(string html, string expected)
    {
        string result = BookSanitizer.Output().Sanitize(html);
        Assert.Equal(expected, result);
        Assert.Empty(OfflineHtml.ExternalReferences(result));
    }

    [Fact]
    public void Css_in_output_html_loads_nothing_but_keeps_the_rest_of_its_style()
    {
        string result = BookSanitizer.Output().Sanitize("<p style=\"background: url(https://x.example/b.png); color: red\">x</p><style>@import url(https://x.example/a.css); p { color: blue }</style>");
        Assert.DoesNotContain("x.example", result);
        Assert.Contains("color: rgba(255, 0, 0, 1)", result);
        Assert.Empty(OfflineHtml.ExternalReferences(result));
    }

    [Fact]
    public void A_page_whose_notebook_could_not_be_run_does_not_offer_a_notebook_with_outputs()
    {
        var executed = PageRenderer.RenderCells(Sample(), null);
        string ran = PageRenderer.NotebookPage(Settings, PageOf("02_cam.dib", "Ran"), executed, null, null);
        Assert.Contains(">notebook with outputs (.ipynb)</a>", ran);
        Assert.Contains("Executed from <code>notebooks/02_cam.dib</code>", ran);

        // The book's page for a notebook the runner wrote nothing for: its .ipynb holds only the reason.
        var problem = PageRenderer.ProblemContent("3. Crashes", "The runner stopped with exit code 139 before writing the executed notebook.");
        string page = PageRenderer.NotebookPage(Settings, PageOf("03_crashes.dib", "3. Crashes", "the runner crashed"), problem, null, null);
        Assert.DoesNotContain("with outputs", page); // was: "notebook with outputs (.ipynb)"
        Assert.Contains(">notebook without outputs (.ipynb)</a>", page);
        Assert.DoesNotContain("Executed from", page);
    }

    [Fact]
    public void The_index_lists_chapters_then_exercises_and_marks_failures()
    {
        string index = PageRenderer.IndexPage(Settings, [
            PageOf("00_setup.dib", "0. Setting up"),
            PageOf("03_fails.dib", "3. Fails", "cell 2 failed"),
            new BookPage("exercises/01_hooks.dib", PageKind.Exercise, "Exercise 1", null),
        ]);
        int chapters = index.IndexOf("<h2>Chapters</h2>", StringComparison.Ordinal);
        int exercises = index.IndexOf("<h2>Exercises</h2>", StringComparison.Ordinal);
        Assert.True(chapters > 0 && exercises > chapters, index);
        Assert.Contains("<li><a href=\"00_setup.html\">0. Setting up</a>", index);
        Assert.Contains("<li class=\"failed\"><a href=\"03_fails.html\">3. Fails</a> <span class=\"file\">03_fails.dib</span> <span class=\"badge failed\">failed</span></li>", index);
        Assert.True(index.IndexOf("exercises/01_hooks.html", StringComparison.Ordinal) > exercises);
        Assert.Contains("<strong>1 notebook failed</strong>", index);
        Assert.Contains("the failed ones as far as they ran", index); // not "Every page was executed"
    }

    [Fact]
    public void Rendering_the_same_notebooks_twice_gives_byte_identical_books_and_rewrites_nothing()
    {
        var first = Path.Combine(Path.GetTempPath(), "camnb-det-" + Guid.NewGuid().ToString("N"));
        var second = Path.Combine(Path.GetTempPath(), "camnb-det-" + Guid.NewGuid().ToString("N"));
        IReadOnlyList<(BookPage, PageRenderer.RenderedNotebook)> Render() =>
        [
            (PageOf("01_a.dib", "A"), PageRenderer.RenderCells(Sample(), null)),
            (PageOf("02_b.dib", "B"), PageRenderer.RenderCells(Sample(), null)),
        ];
        int writtenFirst = BookBuilder.WriteBook(first, Settings, Render());
        BookBuilder.WriteBook(second, Settings, Render());
        var a = BookFixtures.ReadAll(first);
        var b = BookFixtures.ReadAll(second);
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (name, bytes) in a) Assert.True(bytes.AsSpan().SequenceEqual(b[name]), $"{name} differs between two renderings");
        Assert.Equal(6, writtenFirst); // two pages, the index, book.css, plotly.js and its licence
        Assert.Equal(0, BookBuilder.WriteBook(first, Settings, Render()));
        // Previous/next links follow the book order.
        string pageA = Encoding.UTF8.GetString(a["01_a.html"]);
        Assert.Contains("<a class=\"next\" rel=\"next\" href=\"02_b.html\"><span class=\"label\">Next</span>B</a>", pageA);
        Assert.Contains("<span class=\"prev\"></span>", pageA);
    }

    [Fact]
    public void Pages_of_removed_notebooks_are_deleted_but_other_files_are_kept()
    {
        string folder = Path.Combine(Path.GetTempPath(), "camnb-stale-" + Guid.NewGuid().ToString("N"));
        BookBuilder.WriteBook(folder, Settings, [(PageOf("01_a.dib", "A"), PageRenderer.RenderCells(Sample(), null)), (PageOf("02_b.dib", "B"), PageRenderer.RenderCells(Sample(), null))]);
        File.WriteAllText(Path.Combine(folder, "notes.html"), "<p>mine</p>");
        BookBuilder.WriteBook(folder, Settings, [(PageOf("01_a.dib", "A"), PageRenderer.RenderCells(Sample(), null))]);
        Assert.False(File.Exists(Path.Combine(folder, "02_b.html")));
        Assert.True(File.Exists(Path.Combine(folder, "01_a.html")));
        Assert.True(File.Exists(Path.Combine(folder, "notes.html")));
    }

    [Fact]
    public void Ipynb_text_given_as_line_lists_is_joined_and_JSON_data_kept_as_JSON()
    {
        string json = """
            {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [
              {"cell_type": "code", "id": "cell-1", "metadata": {}, "source": ["var a = 1;\n", "a"], "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["x\n", "y\n"]},
                {"output_type": "display_data", "metadata": {}, "data": {"text/html": ["<b>", "1</b>"], "application/json": {"a": 1}}},
                {"output_type": "execute_result", "execution_count": 1, "metadata": {}, "data": {"text/plain": "3"}},
                {"output_type": "error", "ename": "Error", "evalue": "bad", "traceback": ["at A", "at B"]}]},
              {"cell_type": "markdown", "id": "cell-2", "metadata": {}, "source": "# Title"}]}
            """;
        var cells = ExecutedNotebook.Parse(json, "test.ipynb").Cells;
        var cell = cells[0];
        Assert.True(cell.IsCode);
        Assert.Equal("cell-1", cell.Id);
        Assert.Equal("var a = 1;\na", cell.Source);
        Assert.Equal(4, cell.Outputs.Count);
        Assert.Equal(new StreamOutput("stdout", "x\ny\n"), cell.Outputs[0]);
        var display = Assert.IsType<DisplayOutput>(cell.Outputs[1]);
        Assert.Equal("<b>1</b>", display.Data["text/html"]);
        Assert.Equal("{\"a\":1}", display.Data["application/json"]);
        Assert.Equal("3", Assert.IsType<DisplayOutput>(cell.Outputs[2]).Data["text/plain"]);
        var error = Assert.IsType<ErrorOutput>(cell.Outputs[3]);
        Assert.Equal(("Error", "bad"), (error.Name, error.Message));
        Assert.Equal(["at A", "at B"], error.Traceback);
        Assert.False(cells[1].IsCode);
        Assert.Equal("# Title", cells[1].Source);
    }

    [Theory]
    [InlineData("{\"cells\": []}", "old.ipynb is not an nbformat 4 notebook")]
    [InlineData("{\"nbformat\": 4, \"cells\": [", "old.ipynb is not a readable .ipynb notebook")]
    [InlineData("{\"nbformat\": 4, \"cells\": [{\"cell_type\": \"code\", \"source\": \"\", \"outputs\": [{\"output_type\": \"mystery\"}]}]}", "Unrecognized output_type: 'mystery'")]
    public void An_unreadable_ipynb_is_refused_with_a_message_naming_it(string json, string expected)
    {
        var refused = Assert.Throws<CamNotebooks.Runner.NotebookFormatException>(() => ExecutedNotebook.Parse(json, "old.ipynb"));
        Assert.Contains(expected, refused.Message);
    }
}
