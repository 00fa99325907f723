using CamNotebooks.Book.Notebooks;
using Executed = CamNotebooks.Book.Notebooks.ExecutedNotebook;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>The notebook runner on fixture notebooks (not the chapters): failures are named, bad input refused.</summary>
[Collection(NotebookCollection.Name)]
public class RunnerTests
{
    private static string Fixture(string name) => Path.Combine(Repository.Root, "tests", "CamNotebooks.Tests", "Notebooks", "Fixtures", name);

    private static string FreshOutput()
    {
        string folder = Path.Combine(Path.GetTempPath(), "camnb-runner-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        return folder;
    }

    [Fact]
    public void Every_output_kind_is_captured_in_the_ipynb()
    {
        string output = FreshOutput();
        var outcome = ProcessRunner.RunNotebooks(output, Fixture("passes.dib"));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var cells = Executed.Load(Path.Combine(output, "passes.ipynb")).Cells;
        Assert.Equal(3, cells.Count);
        Assert.False(cells[0].IsCode);
        var first = cells[1].Outputs;
        Assert.Contains(first, o => o is StreamOutput stream && stream.Text.Contains("hello from stdout"));
        // The return value is formatted as the kernel does it (HTML with the value inside a <pre>).
        Assert.Contains(first, o => o is DisplayOutput d && d.Data.TryGetValue("text/html", out var html) && html.Contains("<pre>42</pre>"));
        var second = cells[2].Outputs;
        Assert.Contains(second, o => o is DisplayOutput d && d.Data.TryGetValue("text/html", out var html) && html == "<b>bold</b>");
        Assert.Contains(second, o => o is DisplayOutput d && d.Data.ContainsKey("image/png"));
    }

    [Fact]
    public void Progress_displays_updated_in_place_end_as_their_final_text_only()
    {
        string output = FreshOutput();
        var outcome = ProcessRunner.RunNotebooks(output, Fixture("progress.dib"));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var outputs = Executed.Load(Path.Combine(output, "progress.ipynb")).Cells[0].Outputs
            .Select(o => o switch { DisplayOutput d => d.Data.First().Value, StreamOutput stream => stream.Text, _ => o.ToString() }).ToList();
        // Each display keeps its place, with its last value; the placeholders and the steps between are gone.
        Assert.Equal(["<b>a table shown before the progress</b>", "Features: 3/3", "epoch 1\nepoch 2", "done\n"], outputs);
    }

    [Fact]
    public void A_throwing_cell_fails_the_run_naming_notebook_cell_first_line_and_error()
    {
        string output = FreshOutput();
        var outcome = ProcessRunner.RunNotebooks(output, Fixture("throws-in-cell-3.dib"), Fixture("passes.dib"));
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("throws-in-cell-3.dib: cell 3 failed ('throw new InvalidOperationException(\"the fixture failed on purpose\");')", outcome.StandardError);
        Assert.Contains("the fixture failed on purpose", outcome.StandardError);
        // The suite runs the chapters in one runner process and reads each notebook's own part of its output.
        var failed = ExecutedNotebook.PartOf(outcome, Fixture("throws-in-cell-3.dib"));
        var passed = ExecutedNotebook.PartOf(outcome, Fixture("passes.dib"));
        Assert.True(failed.ExitCode == 1 && failed.StandardError.Contains("the fixture failed on purpose") && !failed.StandardOutput.Contains("passes.dib"), failed.ToString());
        Assert.True(passed.ExitCode == 0 && !passed.StandardOutput.Contains("throws-in-cell-3") && passed.StandardError.Length == 0, passed.ToString());
        // The executed copy is still written, with the error in cell 3 and the later cell not run.
        var cells = Executed.Load(Path.Combine(output, "throws-in-cell-3.ipynb")).Cells;
        Assert.Contains(cells[2].Outputs, o => o is ErrorOutput { Name: "Error" } error && error.Message.Contains("the fixture failed on purpose"));
        Assert.Empty(cells[3].Outputs);
    }

    [Fact]
    public void Plotly_js_goes_out_inline_once_per_kernel_session_and_no_chart_needs_a_CDN()
    {
        string output = FreshOutput();
        var outcome = ProcessRunner.RunNotebooks(output, Fixture("two-charts.dib"));
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        var html = Executed.Load(Path.Combine(output, "two-charts.ipynb")).Cells.Skip(1)
            .Select(c => string.Concat(c.Outputs.Select(o => Assert.IsType<DisplayOutput>(o).Data["text/html"]))).ToList();
        Assert.Contains("data-camnb-plotly=\"2.28.0\"", html[0]);
        Assert.Contains("plotly.js v2.28.0", html[0]);
        Assert.Contains("Plotly.newPlot('camnb-plot-1'", html[0]);
        Assert.DoesNotContain("data-camnb-plotly", html[1]);
        Assert.Contains("Plotly.newPlot('camnb-plot-2'", html[1]);
        // Outside plotly.js itself (whose defaults mention its CDN for map topologies), nothing points to a CDN.
        string withoutLibrary = html[0][html[0].IndexOf("</script>", StringComparison.Ordinal)..] + html[1];
        Assert.DoesNotContain("cdn.plot.ly", withoutLibrary);
        Assert.DoesNotContain("requirejs", withoutLibrary);
    }

    [Fact]
    public void A_cell_that_only_works_once_fails_on_the_second_Run_All()
    {
        string output = FreshOutput();
        var outcome = ProcessRunner.RunNotebooks(output, passes: 2, Fixture("not-rerunnable.dib"));
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("not-rerunnable.dib: cell 1 failed", outcome.StandardError);
        Assert.Contains("(Run All, pass 2)", outcome.StandardError);
        Assert.True(ProcessRunner.RunNotebooks(FreshOutput(), passes: 1, Fixture("not-rerunnable.dib")).ExitCode == 0);
    }

    [Fact]
    public void Rerun_reverse_runs_the_code_cells_again_last_to_first_and_names_the_cell_that_breaks()
    {
        Assert.True(ProcessRunner.RunNotebooks(FreshOutput(), passes: 2, Fixture("breaks-in-reverse.dib")).ExitCode == 0);
        var outcome = ProcessRunner.RunNotebooks(FreshOutput(), passes: 2, rerunReverse: true, Fixture("breaks-in-reverse.dib"));
        Assert.Equal(1, outcome.ExitCode);
        Assert.Contains("breaks-in-reverse.dib: cell 3 failed ('seen.Add(1);'): (re-run last to first) ", outcome.StandardError);
        Assert.Contains("the list already held 1 item(s)", outcome.StandardError);
    }

    [Fact]
    public void The_derived_rerun_notebook_holds_every_cell_then_the_code_cells_in_reverse_order()
    {
        string derived = RerunNotebook.Derive(File.ReadAllText(Fixture("breaks-in-reverse.dib")));
        var cells = RerunNotebook.Cells(derived);
        Assert.Equal(["csharp", "markdown", "csharp", "csharp", "csharp"], cells.Select(c => c.Kernel));
        Assert.StartsWith("seen.Add(1);", cells[3].Code);
        Assert.StartsWith("var seen", cells[4].Code);
    }

    [Theory]
    [InlineData("no-such-notebook.dib", "Notebook not found")]
    [InlineData("no-meta.dib", "does not start with a '#!meta' block")]
    [InlineData("broken-meta.dib", "not valid kernel information JSON")]
    [InlineData("fsharp-cell.dib", "uses the 'fsharp' kernel")]
    public void Bad_input_is_refused_with_a_clear_error_and_no_output_file(string fixture, string expected)
    {
        string output = FreshOutput();
        var outcome = ProcessRunner.RunNotebooks(output, Fixture(fixture));
        Assert.Equal(2, outcome.ExitCode);
        Assert.Contains(expected, outcome.StandardError);
        Assert.Empty(Directory.GetFileSystemEntries(output));
    }

    [Fact]
    public void A_bad_notebook_among_good_ones_stops_the_run_before_anything_executes()
    {
        string output = FreshOutput();
        var outcome = ProcessRunner.RunNotebooks(output, Fixture("passes.dib"), Fixture("no-meta.dib"));
        Assert.Equal(2, outcome.ExitCode);
        Assert.Empty(Directory.GetFileSystemEntries(output));
    }
}
