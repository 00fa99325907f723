using System.Collections.Concurrent;
using CamNotebooks.Book.Notebooks;
using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// A notebook executed once per test run by the project's runner ("Run All" twice in one kernel, then, for the chapters, every
/// code cell once more from the last to the first), shared by the test that
/// checks it runs and by the tests that check the facts its prose claims against its real outputs. Notebooks that take the
/// same runner options run in one runner process, as <c>build.sh</c> runs them (one process start, one library load, for
/// all of them); each notebook's outcome is its own part of that process's output.
/// </summary>
public sealed class ExecutedNotebook
{
    private static readonly ConcurrentDictionary<Batch, Lazy<IReadOnlyDictionary<string, ExecutedNotebook>>> Runs = new();

    /// <summary>The notebooks that run with the same runner options, in one process.</summary>
    private enum Batch { Chapters, Exercises, Solutions }

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

    /// <summary>Runs the notebook (once per test process, with the others of its batch) and returns the result.</summary>
    public static ExecutedNotebook Get(string notebook)
    {
        var batch = IsChapter(notebook) ? Batch.Chapters : IsSolution(notebook) ? Batch.Solutions : Batch.Exercises;
        var runs = Runs.GetOrAdd(batch, b => new Lazy<IReadOnlyDictionary<string, ExecutedNotebook>>(() => Execute(b))).Value;
        Assert.True(runs.ContainsKey(notebook), $"{notebook} is not a notebook of notebooks/ ({batch}: {string.Join(", ", runs.Keys)}).");
        return runs[notebook];
    }

    private static IReadOnlyDictionary<string, ExecutedNotebook> Execute(Batch batch)
    {
        var notebooks = Repository.AllNotebooks().Select(n => (string)n[0]).Where(n => batch switch
        {
            Batch.Chapters => IsChapter(n),
            Batch.Solutions => IsSolution(n),
            _ => !IsChapter(n) && !IsSolution(n),
        }).ToList();
        var folders = notebooks.Select(n => Path.GetDirectoryName(n) ?? "").Distinct().ToList();
        Assert.True(folders.Count == 1, $"A batch writes into one folder; {batch} spans {string.Join(", ", folders)}.");
        string output = Path.Combine(Repository.ExecutedNotebooks, folders[0]);
        // A solution's check must pass: the runner fails the run otherwise.
        var outcome = ProcessRunner.RunNotebooks(output, passes: 2, rerunReverse: batch == Batch.Chapters, requireChecks: batch == Batch.Solutions,
            timeout: TimeSpan.FromMinutes(5 * notebooks.Count), notebooks.Select(n => Path.Combine(Repository.Notebooks, n)).ToArray());
        return notebooks.ToDictionary(n => n, n => new ExecutedNotebook(n, PartOf(outcome, Path.Combine(Repository.Notebooks, n)),
            Path.Combine(output, Path.ChangeExtension(Path.GetFileName(n), ".ipynb"))));
    }

    /// <summary>
    /// One notebook's part of a runner process's outcome: its stdout from its "running" line to the next notebook's, its
    /// stderr lines that name it, and exit code 0 when the runner reported it ok (1 otherwise, with the process's exit code
    /// in the output when that was a crash).
    /// </summary>
    internal static ProcessRunner.Outcome PartOf(ProcessRunner.Outcome outcome, string dib)
    {
        var lines = outcome.StandardOutput.Split('\n');
        int start = Array.FindIndex(lines, l => l.TrimEnd() == $"running {dib}");
        if (start < 0)
            return new ProcessRunner.Outcome(outcome.ExitCode == 0 ? 1 : outcome.ExitCode,
                $"(the runner never started {dib}; its whole output follows)\n{outcome.StandardOutput}", outcome.StandardError);
        int end = Array.FindIndex(lines, start + 1, l => l.StartsWith("running ", StringComparison.Ordinal) || l.StartsWith("not run: ", StringComparison.Ordinal));
        var part = lines[start..(end < 0 ? lines.Length : end)];
        bool ok = part.Any(l => l.StartsWith("  ok: ", StringComparison.Ordinal));
        string name = Path.GetFileName(dib);
        string errors = string.Join("\n", outcome.StandardError.Split('\n').Where(l => l.Contains(name, StringComparison.Ordinal)));
        string ending = end < 0 && !ok ? $"\n(the runner process ended with exit code {outcome.ExitCode})" : "";
        return new ProcessRunner.Outcome(ok ? 0 : 1, string.Join("\n", part) + ending, errors);
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
