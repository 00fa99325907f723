using System.Collections.Concurrent;
using CamNotebooks.Book.Notebooks;
using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// A notebook executed once per test run by the project's runner ("Run All" twice in one kernel, then, for the chapters, every
/// code cell once more from the last to the first), shared by the test that
/// checks it runs and by the tests that check the facts its prose claims against its real outputs.
/// </summary>
public sealed class ExecutedNotebook
{
    private static readonly ConcurrentDictionary<string, Lazy<ExecutedNotebook>> Runs = new();

    internal ExecutedNotebook(string notebook, ProcessRunner.Outcome outcome, string ipynbPath)
    {
        Notebook = notebook;
        Outcome = outcome;
        IpynbPath = ipynbPath;
        Cells = File.Exists(ipynbPath) ? ReadCells(ipynbPath) : [];
    }

    /// <summary>Path relative to notebooks/, e.g. <c>02_class_activation_maps.dib</c>.</summary>
    public string Notebook { get; }

    /// <summary>The runner's exit code and console output.</summary>
    public ProcessRunner.Outcome Outcome { get; }

    /// <summary>The executed copy (artifacts/test-notebooks/...).</summary>
    public string IpynbPath { get; }

    /// <summary>Every cell with its source and outputs, in order.</summary>
    public IReadOnlyList<ExecutedCell> Cells { get; }

    /// <summary>Runs the notebook (once per test process) and returns the result.</summary>
    public static ExecutedNotebook Get(string notebook) =>
        Runs.GetOrAdd(notebook, n => new Lazy<ExecutedNotebook>(() => Execute(n))).Value;

    private static ExecutedNotebook Execute(string notebook)
    {
        string output = Path.Combine(Repository.ExecutedNotebooks, Path.GetDirectoryName(notebook) ?? "");
        // A solution's check must pass: the runner fails the run otherwise.
        var outcome = ProcessRunner.RunNotebooks(output, passes: 2, rerunReverse: IsChapter(notebook), requireChecks: IsSolution(notebook),
            Path.Combine(Repository.Notebooks, notebook));
        return new ExecutedNotebook(notebook, outcome, Path.Combine(output, Path.ChangeExtension(Path.GetFileName(notebook), ".ipynb")));
    }

    /// <summary>True for the chapters (notebooks/NN_*.dib), whose every cell must survive a re-run in any order.</summary>
    public static bool IsChapter(string notebook) => System.Text.RegularExpressions.Regex.IsMatch(notebook, @"^\d\d_[^/]*\.dib$");

    /// <summary>True for the exercises' solutions (notebooks/exercises/solutions/*.dib), whose checks must pass.</summary>
    public static bool IsSolution(string notebook) => notebook.StartsWith("exercises/solutions/", StringComparison.Ordinal);

    /// <summary>All text the notebook printed or displayed as text (stdout and text/plain), in order.</summary>
    public string AllText() => string.Join("\n", Cells.SelectMany(c => c.Texts));

    /// <summary>The first match of <paramref name="pattern"/> in the notebook's text outputs; fails the test if absent.</summary>
    public Match Find(string pattern)
    {
        var match = Regex.Match(AllText(), pattern, RegexOptions.Multiline);
        Assert.True(match.Success, $"{Notebook}: no output matches /{pattern}/. Outputs:\n{AllText()}");
        return match;
    }

    /// <summary>The number captured by group <paramref name="group"/> of the first match of <paramref name="pattern"/>.</summary>
    public double Number(string pattern, string group = "value") =>
        double.Parse(Find(pattern).Groups[group].Value, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The cells of the .ipynb at <paramref name="path"/>, read as the book reads them (<see cref="CamNotebooks.Runner.NotebookReader"/>).</summary>
    public static List<ExecutedCell> ReadCells(string path) =>
        CamNotebooks.Book.Notebooks.ExecutedNotebook.Load(path).Cells.Select(cell => new ExecutedCell(
            cell.IsCode ? "code" : "markdown",
            cell.Source,
            cell.Outputs.SelectMany(output => output switch
            {
                StreamOutput stream => [stream.Text],
                DisplayOutput display when display.Data.TryGetValue("text/plain", out string? text) => [text],
                _ => Array.Empty<string>(),
            }).ToList(),
            cell.Outputs.OfType<DisplayOutput>().SelectMany(display => display.Data.Select(data => (data.Key, data.Value))).ToList(),
            cell.Outputs.OfType<ErrorOutput>().Select(error => error.Message).ToList())).ToList();
}

/// <summary>One executed cell.</summary>
/// <param name="Kind">"code" or "markdown".</param>
/// <param name="Source">The cell's source.</param>
/// <param name="Texts">Text outputs: stdout and text/plain values.</param>
/// <param name="Outputs">Every display output as (mime type, data).</param>
/// <param name="Errors">Error messages.</param>
public sealed record ExecutedCell(string Kind, string Source, IReadOnlyList<string> Texts, IReadOnlyList<(string Mime, string Data)> Outputs, IReadOnlyList<string> Errors);
