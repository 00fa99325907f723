using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;

namespace CamNotebooks.Runner;

/// <summary>The first cell that failed: where it is and what it said.</summary>
/// <param name="Notebook">The notebook's file name.</param>
/// <param name="CellNumber">1-based, counting every cell (markdown too), as VS Code numbers them.</param>
/// <param name="FirstLine">The cell's first non-empty line.</param>
/// <param name="Error">The error message the kernel reported.</param>
public sealed record CellFailure(string Notebook, int CellNumber, string FirstLine, string Error)
{
    /// <inheritdoc />
    public override string ToString() => $"{Notebook}: cell {CellNumber} failed ('{FirstLine}'): {Error}";
}

/// <summary>The outcome of running one notebook.</summary>
/// <param name="Notebook">Path of the .dib file.</param>
/// <param name="Output">Path of the executed .ipynb written.</param>
/// <param name="Failure">The failing cell, or null when every cell succeeded.</param>
/// <param name="Elapsed">Wall time of the run.</param>
/// <param name="CellsRun">How many code cells were executed.</param>
/// <param name="Checks">The exercise checks the notebook displayed (from the last forward pass), in cell order.</param>
public sealed record NotebookResult(string Notebook, string Output, CellFailure? Failure, TimeSpan Elapsed, int CellsRun,
    IReadOnlyList<CheckVerdict>? Checks = null)
{
    /// <summary>The exercise checks the notebook displayed; empty for a chapter.</summary>
    public IReadOnlyList<CheckVerdict> CheckVerdicts => Checks ?? [];

    /// <summary>True when every cell succeeded.</summary>
    public bool Succeeded => Failure is null;
}

/// <summary>Runs a .dib notebook top to bottom in a fresh kernel and writes the executed notebook as .ipynb.</summary>
public static class NotebookExecution
{
    /// <summary>
    /// Executes every cell of <paramref name="dibPath"/> with the notebook's folder as working directory (as VS Code does),
    /// stops at the first failing cell, and writes all cells with their outputs to <paramref name="ipynbPath"/>
    /// (the failing cell keeps its error, later cells are kept without outputs).
    /// </summary>
    /// <exception cref="NotebookFormatException">The notebook cannot be read; nothing is written.</exception>
    /// <exception cref="IOException">The executed notebook could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The output folder is not writable.</exception>
    /// <param name="dibPath">The notebook to run.</param>
    /// <param name="ipynbPath">Where to write the executed copy.</param>
    /// <param name="log">Receives progress lines.</param>
    /// <param name="passes">How many times to "Run All" in the same kernel; outputs come from the last pass. Two passes prove
    /// a notebook can be re-run without restarting the kernel.</param>
    /// <param name="cellTimeout">How long one cell may run before it counts as hung (default <see cref="CellWatch.DefaultTimeout"/>).</param>
    /// <param name="rerunReverse">After the passes, run every code cell once more from the last to the first in the same
    /// kernel, as a learner going back up the notebook would; outputs still come from the last forward pass.</param>
    public static async Task<NotebookResult> RunAsync(string dibPath, string ipynbPath, Action<string>? log = null, int passes = 1,
        TimeSpan? cellTimeout = null, bool rerunReverse = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        log ??= _ => { };
        string name = Path.GetFileName(dibPath);
        var document = NotebookReader.LoadDib(dibPath); // validate before anything runs or is written
        var stopwatch = Stopwatch.StartNew();
        string previousDirectory = Environment.CurrentDirectory;
        Environment.CurrentDirectory = Path.GetDirectoryName(Path.GetFullPath(dibPath))!;
        Formatter.ResetToDefault();
        // Written at the end, or by RunnerGuards if the process ends under it: the finished cells are never lost.
        var progress = new NotebookProgress(name, ipynbPath, document);
        RunnerGuards.Current = progress;
        int cellsRun = 0;
        var checks = new SortedDictionary<int, List<CheckVerdict>>();
        try
        {
            using var kernel = NotebookKernel.Create(message => log($"{name}: {message}"));
            for (int pass = 1; pass <= passes && progress.Failure is null; pass++)
            {
                if (passes > 1) log($"{name}: Run All, pass {pass} of {passes}");
                progress.StartPass(); // each pass records the whole document; the last one (or the failing one) is written
                checks.Clear();
                string passNote = passes > 1 ? $"(Run All, pass {pass}) " : "";
                var forward = Enumerable.Range(0, document.Elements.Count);
                if (!await RunCellsAsync(forward, passNote, keepOutputs: true)) break;
            }
            if (rerunReverse && progress.Failure is null)
            {
                log($"{name}: re-running the code cells from the last to the first");
                // Outputs stay those of the last forward pass; a cell that fails here shows this run's outputs and error.
                await RunCellsAsync(Enumerable.Range(0, document.Elements.Count).Reverse(), "(re-run last to first) ", keepOutputs: false);
            }

            // Runs the code cells in the given order until one fails; false when the kernel is left busy with a hung cell.
            async Task<bool> RunCellsAsync(IEnumerable<int> order, string note, bool keepOutputs)
            {
                foreach (int i in order)
                {
                    if (progress.Failure is not null) return true;
                    var cell = document.Elements[i];
                    if (cell.KernelName == "markdown" || string.IsNullOrWhiteSpace(cell.Contents)) continue;
                    if (RunnerGuards.Interrupted.IsCompleted)
                    {
                        progress.Fail(i, $"{note}the runner was stopped by {RunnerGuards.Interrupted.Result.Name} before this cell ran.");
                        return true;
                    }
                    var cellWatch = Stopwatch.StartNew();
                    progress.Running(i);
                    var watched = await CellWatch.RunAsync(kernel, new SubmitCode(cell.Contents, cell.KernelName), cellTimeout ?? CellWatch.DefaultTimeout);
                    cellsRun++;
                    var outputs = new List<InteractiveDocumentOutputElement>();
                    string? error = watched.Events is { } events ? CollectOutputs(events, outputs) : watched.Abandoned;
                    if (watched.Events is null) outputs.Add(new ErrorElement(errorValue: error!, errorName: "Error", stackTrace: []));
                    if (keepOutputs && watched.Events is { } shown) checks[i] = CheckVerdict.From(shown, name, i + 1);
                    if (keepOutputs || error is not null) progress.Finished(i, outputs, error is null ? null : note + error);
                    else progress.Running(-1);
                    progress.ReportBackgroundErrors(i);
                    string status = progress.Failure is null ? "ok" : "FAILED";
                    log(keepOutputs ? $"{name}: cell {i + 1} {status} in {cellWatch.Elapsed.TotalSeconds:F1} s" : $"{name}: re-run of cell {i + 1} {status}");
                    if (watched.Events is null) return false; // the kernel is still busy with the abandoned cell
                }
                return true;
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
            RunnerGuards.Current = null;
        }

        progress.Write();
        return new NotebookResult(dibPath, ipynbPath, progress.Failure, stopwatch.Elapsed, cellsRun, checks.Values.SelectMany(v => v).ToList());
    }

    /// <summary>Turns the kernel's events into notebook outputs; returns the error message if the submission failed.</summary>
    internal static string? CollectOutputs(IEnumerable<KernelEvent> events, List<InteractiveDocumentOutputElement> outputs)
    {
        // A display can be updated later (progress bars): keep one output per value id and replace it in place.
        var displays = new Dictionary<string, int>();
        var neverUpdated = new List<(int Index, HashSet<string> MimeTypes)>();
        string? error = null;
        foreach (var e in events)
        {
            switch (e)
            {
                case StandardOutputValueProduced stdout:
                    AppendText(outputs, "stdout", stdout.FormattedValues.FirstOrDefault()?.Value ?? "");
                    break;
                case StandardErrorValueProduced stderr:
                    AppendText(outputs, "stderr", stderr.FormattedValues.FirstOrDefault()?.Value ?? "");
                    break;
                case ErrorProduced produced:
                    outputs.Add(new ErrorElement(errorValue: produced.Message, errorName: "Error", stackTrace: []));
                    break;
                case ReturnValueProduced { Value: DisplayedValue }:
                    break;
                case DisplayEvent display:
                    var element = new DisplayElement(display.FormattedValues.ToDictionary(v => v.MimeType, v => (object)v.Value));
                    if (display.ValueId is { } id && displays.TryGetValue(id, out int index))
                        outputs[index] = element;
                    else if (display is DisplayedValueUpdated { ValueId: { } updatedId }
                             && neverUpdated.FindIndex(d => d.MimeTypes.SetEquals(element.Data.Keys)) is var match and >= 0)
                    {
                        // This kernel publishes DisplayedValue.Update under another id than the display it updates
                        // (DisplayId vs the produced event's ValueId), so the first update of an unknown id goes to the
                        // cell's earliest display of the same MIME types not updated yet: progress placeholders end as
                        // their final text instead of staying above it.
                        int target = neverUpdated[match].Index;
                        neverUpdated.RemoveAt(match);
                        displays[updatedId] = target;
                        outputs[target] = element;
                    }
                    else
                    {
                        if (display.ValueId is { } newId) displays[newId] = outputs.Count;
                        if (display is DisplayedValueProduced) neverUpdated.Add((outputs.Count, element.Data.Keys.ToHashSet()));
                        outputs.Add(element);
                    }
                    break;
                case CommandFailed failed:
                    error = failed.Message;
                    outputs.Add(new ErrorElement(errorValue: failed.Message, errorName: "Error",
                        stackTrace: (failed.Exception?.StackTrace ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)));
                    break;
            }
        }
        return error;
    }

    private static void AppendText(List<InteractiveDocumentOutputElement> outputs, string stream, string text)
    {
        if (outputs.Count > 0 && outputs[^1] is TextElement last && last.Name == stream)
            outputs[^1] = new TextElement(last.Text + text, stream);
        else
            outputs.Add(new TextElement(text, stream));
    }
}
