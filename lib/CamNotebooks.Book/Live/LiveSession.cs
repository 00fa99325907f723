using System.Diagnostics;
using CamNotebooks.Book.Notebooks;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Runner;
using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Events;
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
    private readonly TimeSpan _cellTimeout;
    private CompositeKernel _kernel;
    private int _runningCell = -1;
    private int _lastCell = -1;
    private int _abandoned;
    private readonly Lock _gate = new();
    private List<Cell> _cells = [];
    private int _upToDate; // the first cells whose kernel state matches their current source (they ran and succeeded)
    private string? _lastText;
    private LiveStatus _status = new(0, true, "Starting the kernel…", false);
    private int _runs;
    private LiveRestart? _restart;
    private readonly bool _restarted;
    private string? _lastHash;

    /// <summary>Opens <paramref name="dibPath"/> in a fresh kernel whose working directory is the notebook's folder, as in VS Code.</summary>
    /// <remarks>The working directory is process-wide: one session per process. After a <paramref name="restart"/> (the
    /// previous kernel's process ended under a cell), the first run stops above that cell, if it is unchanged, and shows why.</remarks>
    public LiveSession(string dibPath, Action<string> log, TimeSpan? cellTimeout = null, LiveRestart? restart = null)
    {
        _restart = restart;
        _restarted = restart is not null;
        if (restart is not null) _status = _status with { Version = restart.Version + 1, Message = "Restarting the kernel…" };
        _dibPath = Path.GetFullPath(dibPath);
        _log = log;
        _cellTimeout = cellTimeout ?? CellWatch.DefaultTimeout;
        Environment.CurrentDirectory = Path.GetDirectoryName(_dibPath)!;
        Formatter.ResetToDefault();
        _kernel = NotebookKernel.Create(message => log($"kernel: {message}"));
    }

    /// <summary>The notebook's file.</summary>
    public string NotebookPath => _dibPath;

    /// <summary>How many cells were left running (timed out, or stopped by a save) on a thread that cannot be aborted.</summary>
    public int AbandonedCells => Volatile.Read(ref _abandoned);

    /// <summary>The 1-based cell running now and its source, or (0, null) when none runs.</summary>
    public (int Cell, string? Source) RunningCell
    {
        get
        {
            lock (_gate) return _runningCell >= 0 && _runningCell < _cells.Count ? (_runningCell + 1, _cells[_runningCell].Source) : (0, null);
        }
    }

    /// <summary>
    /// What the supervisor needs to know when the process ends now, with <paramref name="exitCode"/>, while the notebook
    /// is open: the cell running (if any), the last one that ran, and whether this process was still replaying a restart.
    /// </summary>
    public LiveRestart Ended(int exitCode)
    {
        var (cell, source) = RunningCell;
        lock (_gate)
            return new LiveRestart(exitCode, cell, source, _status.Version, LastCell: _lastCell + 1, Replaying: _restarted && _runs <= 1,
                NotebookHash: _lastHash);
    }

    /// <summary>True while a cell runs, or a stopped cell still holds a thread: the process must then end at once, not by the runtime's shutdown.</summary>
    public bool HoldsRunningCell
    {
        get { lock (_gate) return _runningCell >= 0 || AbandonedCells > 0; }
    }

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
        _lastHash = Hash(text);
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
        var restart = _restart;
        _restart = null;
        if (restart is null)
            await RunFromAsync(first, superseded, stopAt: -1, restart: null);
        else if (restart is { Cell: > 0, Replaying: false } && restart.Cell <= incoming.Count && incoming[restart.Cell - 1].Source == restart.CellSource)
            await RunFromAsync(first, superseded, stopAt: restart.Cell - 1, restart); // the cells above run again, the cell does not
        else if (restart is { Cell: > 0, Replaying: false } || (restart.NotebookHash is { } hash && hash != _lastHash))
            await RunFromAsync(first, superseded, stopAt: -1, restart: null); // saved since: the learner's fix runs
        else
            ShowWithoutRunning(restart);
    }

    /// <summary>
    /// After a restart that running the notebook again would repeat (no cell was running: a thread, timer or task a cell
    /// started ended the process; or the restart's own run ended it again; or the process crashed without a word): the
    /// cells are shown without running, the note at the cell that ran last, until the learner saves.
    /// </summary>
    private void ShowWithoutRunning(LiveRestart restart)
    {
        string note = RestartNote(restart);
        int at = (restart.Cell > 0 ? restart.Cell : restart.LastCell) - 1;
        lock (_gate)
        {
            if (at >= 0 && at < _cells.Count) _cells[at] = _cells[at] with { Outputs = [new ErrorElement(errorValue: note, errorName: "Error", stackTrace: [])] };
            _upToDate = 0;
        }
        _log(note);
        SetStatus(false, note, problem: true);
    }

    /// <summary>What a restart tells the learner: what ended the process, and what the live loop did about it.</summary>
    private static string RestartNote(LiveRestart restart)
    {
        const string NothingRan = "The live loop restarted the kernel and ran nothing this time, so that cannot happen again on its own: ";
        return restart switch
        {
            { Recorded: false } =>
                $"The kernel's process ended (exit code {restart.ExitCode}) without saying which cell was running: a crash in native code, " +
                "or a signal from outside. " + NothingRan + "save the notebook to run every cell from the top in the new kernel.",
            { Cell: > 0, Replaying: false } =>
                $"Cell {restart.Cell}, or a thread a cell started, ended the kernel's process while cell {restart.Cell} ran (exit code {restart.ExitCode}: " +
                "Environment.Exit or a crash), so the live loop restarted the kernel and ran the cells above it again. A notebook must not end its " +
                "kernel: remove that call and save.",
            { Cell: > 0 } =>
                $"The kernel's process ended again (exit code {restart.ExitCode}) while cell {restart.Cell} ran, after a restart: that cell, or " +
                "a thread or task a cell above it started, calls Environment.Exit (or crashes the process). " + NothingRan +
                "remove that call and save; every cell then runs from the top.",
            { LastCell: > 0 } =>
                $"The kernel's process ended (exit code {restart.ExitCode}) while no cell was running, after cell {restart.LastCell} had run: " +
                $"a thread, timer or task that {(restart.LastCell == 1 ? "cell 1" : $"one of cells 1–{restart.LastCell}")} started called " +
                "Environment.Exit (or crashed the process). " + NothingRan + "remove that call and save; every cell then runs from the top.",
            _ =>
                $"The kernel's process ended (exit code {restart.ExitCode}) while no cell was running, before any cell ran. " + NothingRan +
                "save the notebook to run every cell from the top.",
        };
    }

    private static string Hash(string text) => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));

    private async Task RunFromAsync(int first, Func<bool> superseded, int stopAt, LiveRestart? restart)
    {
        var watch = Stopwatch.StartNew();
        int count;
        lock (_gate) count = _cells.Count;
        int ran = 0;
        for (int i = first; i < count; i++)
        {
            Cell cell;
            lock (_gate) cell = _cells[i];
            if (i == stopAt && restart is not null)
            {
                string note = RestartNote(restart);
                lock (_gate) _cells[i] = cell with { Outputs = [new ErrorElement(errorValue: note, errorName: "Error", stackTrace: [])] };
                _log($"cell {i + 1}: {note}");
                SetStatus(false, $"{note} Run {_runs}, {watch.Elapsed.TotalSeconds:F1} s.", problem: true);
                return;
            }
            if (cell.Kernel == "markdown" || string.IsNullOrWhiteSpace(cell.Source))
            {
                lock (_gate) _upToDate = i + 1;
                continue;
            }
            SetStatus(true, $"Running cell {i + 1} of {count}…");
            lock (_gate) _runningCell = _lastCell = i;
            var submission = NotebookKernel.SubmitAsync(_kernel, new SubmitCode(cell.Source, cell.Kernel));
            string? stopped = await WatchCellAsync(submission, i, superseded);
            if (stopped is not null)
            {
                await AbandonAsync(submission, i, stopped);
                return;
            }
            var outputs = new List<InteractiveDocumentOutputElement>();
            string? error = NotebookExecution.CollectOutputs(await submission, outputs);
            ran++;
            lock (_gate)
            {
                _runningCell = -1;
                // Errors a background thread raised while the cell ran come after the cell's own outputs.
                outputs.AddRange(_cells[i].Outputs.OfType<ErrorElement>());
                error ??= _cells[i].Outputs.OfType<ErrorElement>().FirstOrDefault()?.ErrorValue;
                _cells[i] = cell with { Outputs = outputs };
                if (error is null) _upToDate = i + 1;
            }
            if (error is not null)
            {
                _log($"cell {i + 1} failed: {FirstLine(error)}");
                SetStatus(false, $"Cell {i + 1} failed (its error is shown there; the cells below did not run): {FirstLine(error)} Fix it and save. " +
                                 $"Run {_runs}, {watch.Elapsed.TotalSeconds:F1} s.", problem: true);
                return;
            }
            if (i + 1 < count && superseded())
            {
                SetStatus(true, $"The notebook changed while cell {i + 1} ran: starting again from the first changed cell…");
                return;
            }
        }
        _log($"ran {ran} cell(s) from cell {first + 1} in {watch.Elapsed.TotalSeconds:F1} s");
        SetStatus(false, (restart is null ? "" : RestartNote(restart) + " ") + (ran == 0
            ? $"Up to date (run {_runs}: nothing to run)."
            : $"Up to date: ran cells {first + 1}–{count} ({ran} code cells) in {watch.Elapsed.TotalSeconds:F1} s, run {_runs} in this kernel."));
    }

    /// <summary>
    /// Waits for the cell; returns why it was stopped instead: it ran past the cell timeout, or the notebook was saved with
    /// this cell or one above it changed (the learner fixed it, or wants it to run differently).
    /// </summary>
    private async Task<string?> WatchCellAsync(Task submission, int cell, Func<bool> superseded)
    {
        var clock = Stopwatch.StartNew();
        while (!submission.IsCompleted)
        {
            await Task.WhenAny(submission, Task.Delay(250));
            if (submission.IsCompleted) break;
            if (clock.Elapsed >= _cellTimeout)
                return $"Cell {cell + 1} did not finish within {Describe(_cellTimeout)} (--cell-timeout) and was stopped.";
            if (superseded() && ChangedAtOrAbove(cell))
                return $"Cell {cell + 1} was stopped after {clock.Elapsed.TotalSeconds:F0} s: the notebook was saved with it (or a cell above it) changed.";
        }
        return null;
    }

    /// <summary>True when the file on disk differs from the cells that ran in one of the cells up to <paramref name="cell"/>.</summary>
    private bool ChangedAtOrAbove(int cell)
    {
        InteractiveDocument document;
        try
        {
            document = NotebookReader.LoadDib(_dibPath);
        }
        catch (Exception e) when (e is NotebookFormatException or IOException)
        {
            return false; // a half-written or broken save: keep waiting for a good one
        }
        lock (_gate)
        {
            for (int i = 0; i <= cell; i++)
            {
                if (i >= document.Elements.Count) return true;
                if ((document.Elements[i].KernelName ?? "csharp") != _cells[i].Kernel || (document.Elements[i].Contents ?? "") != _cells[i].Source) return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Stops waiting for a cell: asks the kernel to cancel it, and when the kernel does not answer again within a few
    /// seconds (a cell that ignores cancellation, like a loop that never ends), replaces the kernel by a fresh one; every
    /// cell then runs again from the top on the next save. The page says which happened.
    /// </summary>
    private async Task AbandonAsync(Task submission, int cell, string why)
    {
        _log(why);
        SetStatus(true, $"{why} Stopping it…");
        try
        {
            await _kernel.SendAsync(new Cancel()).WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or ObjectDisposedException)
        {
            // The kernel did not take the cancellation: it is replaced below.
        }
        bool answers = await Task.WhenAny(submission, Task.Delay(TimeSpan.FromSeconds(3))) == submission && await AnswersAsync();
        string note;
        if (answers)
            note = $"{why} The kernel cancelled it and keeps its state.";
        else
        {
            Interlocked.Increment(ref _abandoned);
            var old = _kernel;
            Formatter.ResetToDefault();
            _kernel = NotebookKernel.Create(message => _log($"kernel: {message}"));
            lock (_gate) _upToDate = 0;
            _ = Task.Run(() =>
            {
                try
                {
                    old.Dispose();
                }
                catch (Exception)
                {
                    // The old kernel is busy with the stopped cell; it is dropped either way.
                }
            });
            note = $"{why} It did not stop, so the kernel was restarted: every cell runs again from the top on the next save " +
                   "(the stopped cell's thread keeps a core busy until the live loop ends).";
        }
        lock (_gate)
        {
            _runningCell = -1;
            var outputs = _cells[cell].Outputs.ToList();
            outputs.Add(new ErrorElement(errorValue: note, errorName: "Error", stackTrace: []));
            _cells[cell] = _cells[cell] with { Outputs = outputs };
            _upToDate = Math.Min(_upToDate, cell);
        }
        SetStatus(false, $"{note} Fix it and save.", problem: true);
    }

    /// <summary>True when the kernel runs a trivial cell within a few seconds.</summary>
    private async Task<bool> AnswersAsync()
    {
        try
        {
            var probe = NotebookKernel.SubmitAsync(_kernel, new SubmitCode("0", "csharp"));
            return await Task.WhenAny(probe, Task.Delay(TimeSpan.FromSeconds(3))) == probe && !(await probe).OfType<CommandFailed>().Any();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// An exception thrown on a thread a cell started (the process would otherwise end): shown as an error of the cell
    /// running now, or of the last cell that ran, and in the status bar. The kernel and the server go on.
    /// </summary>
    public void BackgroundError(Exception exception)
    {
        string message = $"A background thread the notebook started threw {exception.GetType().Name}: {exception.Message}";
        int cell;
        lock (_gate)
        {
            cell = _runningCell >= 0 ? _runningCell : _lastCell;
            if (cell < 0 || cell >= _cells.Count) return;
            var outputs = _cells[cell].Outputs.ToList();
            outputs.Add(new ErrorElement(errorValue: message, errorName: "Error", stackTrace: []));
            _cells[cell] = _cells[cell] with { Outputs = outputs };
            _upToDate = Math.Min(_upToDate, cell);
        }
        _log($"cell {cell + 1}: {message}");
        if (_runningCell < 0)
            SetStatus(false, $"Cell {cell + 1}: {message}. Fix it and save.", problem: true);
    }

    private static string Describe(TimeSpan span) =>
        span.TotalSeconds < 120 ? $"{span.TotalSeconds:0.#} s" : $"{span.TotalMinutes:0.#} minutes";

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
    public void Dispose()
    {
        try
        {
            _kernel.Dispose();
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or AggregateException)
        {
            // A kernel busy with a stopped cell: the process ends anyway.
        }
    }
}
