using System.Diagnostics;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
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
public sealed record NotebookResult(string Notebook, string Output, CellFailure? Failure, TimeSpan Elapsed, int CellsRun)
{
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
    /// <param name="dibPath">The notebook to run.</param>
    /// <param name="ipynbPath">Where to write the executed copy.</param>
    /// <param name="log">Receives progress lines.</param>
    /// <param name="passes">How many times to "Run All" in the same kernel; outputs come from the last pass. Two passes prove
    /// a notebook can be re-run without restarting the kernel.</param>
    public static async Task<NotebookResult> RunAsync(string dibPath, string ipynbPath, Action<string>? log = null, int passes = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(passes, 1);
        log ??= _ => { };
        string name = Path.GetFileName(dibPath);
        var document = DibNotebook.Load(dibPath); // validate before anything runs or is written
        var stopwatch = Stopwatch.StartNew();
        string previousDirectory = Environment.CurrentDirectory;
        Environment.CurrentDirectory = Path.GetDirectoryName(Path.GetFullPath(dibPath))!;
        Formatter.ResetToDefault();
        var executed = new InteractiveDocument();
        CellFailure? failure = null;
        int cellsRun = 0;
        try
        {
            using var kernel = NotebookKernel.Create(message => log($"{name}: {message}"));
            for (int pass = 1; pass <= passes && failure is null; pass++)
            {
                if (passes > 1) log($"{name}: Run All, pass {pass} of {passes}");
                // Each pass records a whole document; the last one (or the failing one) is what gets written.
                executed = new InteractiveDocument();
                for (int i = 0; i < document.Elements.Count; i++)
                {
                    var cell = document.Elements[i];
                    var outputs = new List<InteractiveDocumentOutputElement>();
                    if (cell.KernelName != "markdown" && failure is null && !string.IsNullOrWhiteSpace(cell.Contents))
                    {
                        var cellWatch = Stopwatch.StartNew();
                        var result = await kernel.SendAsync(new SubmitCode(cell.Contents, cell.KernelName));
                        cellsRun++;
                        string? error = CollectOutputs(result.Events, outputs);
                        log($"{name}: cell {i + 1} {(error is null ? "ok" : "FAILED")} in {cellWatch.Elapsed.TotalSeconds:F1} s");
                        if (error is not null)
                            failure = new CellFailure(name, i + 1, FirstLine(cell.Contents), passes > 1 ? $"(Run All, pass {pass}) {error}" : error);
                    }
                    // Stable ids keep the executed notebook byte-identical from run to run.
                    executed.Add(new InteractiveDocumentElement(cell.Contents, cell.KernelName, outputs) { Id = $"cell-{i + 1}" });
                }
            }
        }
        finally
        {
            Environment.CurrentDirectory = previousDirectory;
        }

        WriteAtomically(ipynbPath, executed.ToJupyterJson("C#"));
        return new NotebookResult(dibPath, ipynbPath, failure, stopwatch.Elapsed, cellsRun);
    }

    /// <summary>Turns the kernel's events into notebook outputs; returns the error message if the submission failed.</summary>
    private static string? CollectOutputs(IEnumerable<KernelEvent> events, List<InteractiveDocumentOutputElement> outputs)
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

    private static string FirstLine(string code) =>
        code.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";

    /// <summary>Writes beside the target and renames, so a crash never leaves a half-written notebook behind.</summary>
    internal static void WriteAtomically(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string temporary = path + ".partial";
        File.WriteAllText(temporary, content);
        File.Move(temporary, path, overwrite: true);
    }
}
