using System.Diagnostics;
using CamNotebooks.Book.Notebooks;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Runner;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Formatting;

namespace CamNotebooks.Book.Live;

/// <summary>What the live page shows above the cells: what the kernel is doing and what the last run did.</summary>
/// <param name="Version">Grows by one with every change of the page.</param>
/// <param name="Busy">True while cells are running.</param>
/// <param name="Message">One line for the reader.</param>
/// <param name="Problem">True when the message reports a problem (the .dib could not be read).</param>
public sealed record LiveStatus(long Version, bool Busy, string Message, bool Problem);

/// <summary>
/// One notebook kept alive in one kernel, as in a notebook editor: on every change of the .dib, the cells from the first
/// changed one onward run again in the same kernel, while the cells above keep their state. A failing cell stops the
/// run; its error is its output, and the cells below it are marked as not run.
/// </summary>
public sealed class LiveSession : IDisposable
{
    private sealed record Cell(string Kernel, string Source, IReadOnlyList<InteractiveDocumentOutputElement> Outputs);

    private readonly string _dibPath;
    private readonly Action<string> _log;
    private readonly CompositeKernel _kernel;
    private readonly Lock _gate = new();
    private List<Cell> _cells = [];
    private int _upToDate; // the first cells whose kernel state matches their current source (they ran and succeeded)
    private string? _lastText;
    private LiveStatus _status = new(0, true, "Starting the kernel…", false);
    private int _runs;

    /// <summary>Opens <paramref name="dibPath"/> in a fresh kernel whose working directory is the notebook's folder, as in VS Code.</summary>
    /// <remarks>The working directory is process-wide: one session per process.</remarks>
    public LiveSession(string dibPath, Action<string> log)
    {
        _dibPath = Path.GetFullPath(dibPath);
        _log = log;
        Environment.CurrentDirectory = Path.GetDirectoryName(_dibPath)!;
        Formatter.ResetToDefault();
        _kernel = NotebookKernel.Create(message => log($"kernel: {message}"));
    }

    /// <summary>The notebook's file.</summary>
    public string NotebookPath => _dibPath;

    /// <summary>Raised after every change of <see cref="Status"/> or of the cells (from the thread that ran the cells).</summary>
    public event Action<LiveStatus>? Changed;

    /// <summary>The current status.</summary>
    public LiveStatus Status
    {
        get { lock (_gate) return _status; }
    }

    /// <summary>
    /// Reads the .dib and, if its text changed since the last call, runs the cells from the first changed one (or the
    /// first one that has not run successfully) onward. Between cells it calls <paramref name="superseded"/>: when that
    /// returns true (the file changed again), it stops and leaves the rest for the next call.
    /// </summary>
    public async Task UpdateAsync(Func<bool> superseded)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(_dibPath);
        }
        catch (IOException e)
        {
            SetStatus(false, $"Could not read {Path.GetFileName(_dibPath)} ({e.Message}); it is read again on the next save.", problem: true);
            return;
        }
        if (text == _lastText) return;
        InteractiveDocument document;
        try
        {
            document = NotebookReader.LoadDib(_dibPath);
        }
        catch (NotebookFormatException e)
        {
            _lastText = text;
            SetStatus(false, $"The notebook cannot be read: {e.Message} The cells below are from the last version that could.", problem: true);
            return;
        }
        _lastText = text;
        var incoming = document.Elements.Select(e => new Cell(e.KernelName ?? "csharp", e.Contents ?? "", [])).ToList();
        int first;
        lock (_gate)
        {
            first = 0;
            while (first < incoming.Count && first < _cells.Count && incoming[first].Kernel == _cells[first].Kernel && incoming[first].Source == _cells[first].Source)
                first++;
            first = Math.Min(first, _upToDate);
            // Cells above keep their outputs; the changed cell and everything below start empty.
            _cells = incoming.Select((cell, i) => i < first ? _cells[i] : cell).ToList();
            _upToDate = first;
            _runs++;
        }
        await RunFromAsync(first, superseded);
    }

    private async Task RunFromAsync(int first, Func<bool> superseded)
    {
        var watch = Stopwatch.StartNew();
        int count;
        lock (_gate) count = _cells.Count;
        int ran = 0;
        for (int i = first; i < count; i++)
        {
            Cell cell;
            lock (_gate) cell = _cells[i];
            if (cell.Kernel == "markdown" || string.IsNullOrWhiteSpace(cell.Source))
            {
                lock (_gate) _upToDate = i + 1;
                continue;
            }
            SetStatus(true, $"Running cell {i + 1} of {count}…");
            var events = await NotebookKernel.SubmitAsync(_kernel, new SubmitCode(cell.Source, cell.Kernel));
            var outputs = new List<InteractiveDocumentOutputElement>();
            string? error = NotebookExecution.CollectOutputs(events, outputs);
            ran++;
            lock (_gate)
            {
                _cells[i] = cell with { Outputs = outputs };
                if (error is null) _upToDate = i + 1;
            }
            if (error is not null)
            {
                _log($"cell {i + 1} failed: {FirstLine(error)}");
                SetStatus(false, $"Cell {i + 1} failed (its error is shown there; the cells below did not run). Fix it and save. Run {_runs}, {watch.Elapsed.TotalSeconds:F1} s.", problem: true);
                return;
            }
            if (i + 1 < count && superseded())
            {
                SetStatus(true, $"The notebook changed while cell {i + 1} ran: starting again from the first changed cell…");
                return;
            }
        }
        _log($"ran {ran} cell(s) from cell {first + 1} in {watch.Elapsed.TotalSeconds:F1} s");
        SetStatus(false, ran == 0
            ? $"Up to date (run {_runs}: nothing to run)."
            : $"Up to date: ran cells {first + 1}–{count} ({ran} code cells) in {watch.Elapsed.TotalSeconds:F1} s, run {_runs} in this kernel.");
    }

    /// <summary>The executed notebook as it stands, as .ipynb JSON (cells not yet run have no outputs).</summary>
    public string ToIpynb() => ToIpynb(output => output);

    /// <summary>
    /// The notebook as it stands, for the page: read back as the book reads executed notebooks, so it renders exactly
    /// as the book does. The 3.6 MB of plotly.js that the first chart carries is left out first (the page loads the local
    /// copy, as the book's renderer would after removing it), which keeps a re-render after a save quick.
    /// </summary>
    public ExecutedNotebook ToExecutedNotebook() => ExecutedNotebook.Parse(ToIpynb(WithoutInlinePlotlyJs), _dibPath);

    private string ToIpynb(Func<InteractiveDocumentOutputElement, InteractiveDocumentOutputElement> map)
    {
        var document = new InteractiveDocument();
        lock (_gate)
        {
            for (int i = 0; i < _cells.Count; i++)
                document.Add(new InteractiveDocumentElement(_cells[i].Source, _cells[i].Kernel, _cells[i].Outputs.Select(map).ToList()) { Id = $"cell-{i + 1}" });
        }
        return document.ToJupyterJson("C#");
    }

    private static InteractiveDocumentOutputElement WithoutInlinePlotlyJs(InteractiveDocumentOutputElement output)
    {
        if (output is not DisplayElement display || !display.Data.TryGetValue("text/html", out object? value) || value is not string html) return output;
        int marker = html.IndexOf(OfflineHtml.PlotlyScriptMarker, StringComparison.Ordinal);
        int start = marker < 0 ? -1 : html.LastIndexOf("<script", marker, StringComparison.OrdinalIgnoreCase);
        int end = marker < 0 ? -1 : html.IndexOf("</script>", marker, StringComparison.OrdinalIgnoreCase);
        if (start < 0 || end < 0) return output;
        string stripped = html[..start] + html[(end + "</script>".Length)..];
        return new DisplayElement(display.Data.ToDictionary(entry => entry.Key, entry => entry.Key == "text/html" ? stripped : entry.Value));
    }

    private void SetStatus(bool busy, string message, bool problem = false)
    {
        LiveStatus status;
        lock (_gate) status = _status = new LiveStatus(_status.Version + 1, busy, message, problem);
        Changed?.Invoke(status);
    }

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    /// <inheritdoc />
    public void Dispose() => _kernel.Dispose();
}
