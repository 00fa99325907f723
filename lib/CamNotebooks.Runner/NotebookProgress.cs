using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;

namespace CamNotebooks.Runner;

/// <summary>
/// The executed copy of one notebook while it runs: every cell, with the outputs of those that finished. It can be written
/// at any moment (normally at the end; early when a cell ends the process or a signal stops the runner), so finished work
/// is never lost. Thread-safe: the process-exit and unhandled-exception handlers write it from other threads.
/// </summary>
internal sealed class NotebookProgress
{
    private readonly Lock _gate = new();
    private readonly InteractiveDocument _source;
    private readonly List<InteractiveDocumentOutputElement>?[] _outputs;
    private bool _written;

    public NotebookProgress(string name, string ipynbPath, InteractiveDocument source)
    {
        Name = name;
        IpynbPath = ipynbPath;
        _source = source;
        _outputs = new List<InteractiveDocumentOutputElement>?[source.Elements.Count];
    }

    /// <summary>The notebook's file name.</summary>
    public string Name { get; }

    /// <summary>Where the executed copy goes.</summary>
    public string IpynbPath { get; }

    /// <summary>The 0-based index of the cell running now, or -1.</summary>
    public int RunningCell { get; private set; } = -1;

    /// <summary>The first failure: what a later handler must not overwrite.</summary>
    public CellFailure? Failure { get; private set; }

    /// <summary>Errors raised on threads the notebook started, not yet reported against a cell.</summary>
    private readonly List<string> _backgroundErrors = [];

    /// <summary>Starts a new "Run All": every cell loses the outputs of the previous pass.</summary>
    public void StartPass()
    {
        lock (_gate) Array.Clear(_outputs);
    }

    public void Running(int cell)
    {
        lock (_gate) RunningCell = cell;
    }

    /// <summary>Records a cell's outputs, and its error if it failed (the first failure wins).</summary>
    public void Finished(int cell, List<InteractiveDocumentOutputElement> outputs, string? error)
    {
        lock (_gate)
        {
            // Errors a background thread raised while the cell ran come after the cell's own outputs.
            if (_outputs[cell] is { } raisedMeanwhile) outputs.AddRange(raisedMeanwhile);
            _outputs[cell] = outputs;
            RunningCell = -1;
            if (error is not null) Fail(cell, error, addOutput: false);
        }
    }

    /// <summary>Fails the cell <paramref name="cell"/> with <paramref name="error"/> (shown as its last output), unless a failure is already recorded.</summary>
    public void Fail(int cell, string error, bool addOutput = true)
    {
        lock (_gate)
        {
            if (addOutput)
                (_outputs[cell] ??= []).Add(new ErrorElement(errorValue: error, errorName: "Error", stackTrace: []));
            Failure ??= new CellFailure(Name, cell + 1, FirstLine(_source.Elements[cell].Contents), error);
        }
    }

    /// <summary>Keeps an exception from a background thread until the runner can report it against a cell.</summary>
    public void BackgroundError(Exception exception)
    {
        lock (_gate)
        {
            string message = $"a background thread the notebook started threw {exception.GetType().Name}: {exception.Message}";
            if (RunningCell >= 0) Fail(RunningCell, message);
            else _backgroundErrors.Add(message);
        }
    }

    /// <summary>Background errors raised between cells, reported against the cell that ran last.</summary>
    public void ReportBackgroundErrors(int lastCell)
    {
        lock (_gate)
        {
            foreach (var message in _backgroundErrors) Fail(lastCell, message);
            _backgroundErrors.Clear();
        }
    }

    /// <summary>Writes the executed copy (atomically); later calls do nothing, so a late handler cannot overwrite it.</summary>
    /// <exception cref="IOException">The file could not be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The folder is not writable.</exception>
    public void Write()
    {
        lock (_gate)
        {
            if (_written) return;
            var executed = new InteractiveDocument();
            for (int i = 0; i < _source.Elements.Count; i++)
            {
                var cell = _source.Elements[i];
                // Stable ids keep the executed notebook byte-identical from run to run.
                executed.Add(new InteractiveDocumentElement(cell.Contents, cell.KernelName, _outputs[i]?.ToList() ?? []) { Id = $"cell-{i + 1}" });
            }
            CamNotebooks.IO.AtomicFile.WriteAllText(IpynbPath, executed.ToJupyterJson("C#"));
            _written = true;
        }
    }

    internal static string FirstLine(string code) =>
        code.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0) ?? "";
}
