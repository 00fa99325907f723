using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;

namespace CamNotebooks.Runner;

/// <summary>
/// What keeps a runner process honest when a notebook or the outside world misbehaves: SIGTERM/SIGINT stop it after the
/// finished cells are written; a cell that ends the process (<c>Environment.Exit</c>) still leaves its notebook written and
/// a failing exit code; an exception on a thread a notebook started fails that notebook instead of killing the process;
/// and a runner started by the book exits when the book is gone.
/// </summary>
internal static class RunnerGuards
{
    /// <summary>Set by the book to its own process id: the runner stops when its parent is no longer that process.</summary>
    public const string ParentVariable = "CAMNOTEBOOKS_RUNNER_PARENT_PID";

    /// <summary>A stop request: the signal's name and the conventional exit code (128 + its number).</summary>
    public sealed record Signal(string Name, int ExitCode);

    private static readonly TaskCompletionSource<Signal> InterruptSource = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static readonly List<PosixSignalRegistration> Registrations = [];
    private static readonly List<string> StrayErrors = [];
    private static readonly Lock Gate = new();
    private static bool _installed;
    private static volatile NotebookProgress? _current;
    private static volatile bool _exiting;
    private static int _abandonedCells;
    private static int _mainThread;

    /// <summary>The process's real standard output, captured before any kernel exists: while a cell runs (or after one was
    /// abandoned) the kernel has Console redirected into that cell's outputs.</summary>
    public static TextWriter Out { get; private set; } = Console.Out;

    /// <summary>The process's real standard error (see <see cref="Out"/>).</summary>
    public static TextWriter Error { get; private set; } = Console.Error;

    /// <summary>Completes when SIGTERM or SIGINT arrives.</summary>
    public static Task<Signal> Interrupted => InterruptSource.Task;

    /// <summary>The notebook running now; written by the handlers if the process ends under it.</summary>
    public static NotebookProgress? Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>Errors from background threads that fired while no notebook ran.</summary>
    public static IReadOnlyList<string> StrayBackgroundErrors
    {
        get { lock (Gate) return StrayErrors.ToList(); }
    }

    /// <summary>Notes that a cell was left running (timed out or interrupted): the process must then end by <see cref="Finish"/>.</summary>
    public static void CellAbandoned() => Interlocked.Increment(ref _abandonedCells);

    /// <summary>Installs the handlers, once per process.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (_installed) return;
            _installed = true;
            Out = Console.Out;
            Error = Console.Error;
            _mainThread = Environment.CurrentManagedThreadId;
        }
        foreach (var (signal, name, code) in new[] { (PosixSignal.SIGTERM, "SIGTERM", 143), (PosixSignal.SIGINT, "SIGINT", 130) })
        {
            Registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                // The first signal asks the runner to write what finished and stop; a second one ends it at once.
                context.Cancel = InterruptSource.TrySetResult(new Signal(name, code));
            }));
        }
        AppDomain.CurrentDomain.ProcessExit += (_, _) => OnProcessExit();
        // .NET ends the process on an exception no code catches, on any thread; a REPL host may handle it instead (.NET 10).
        ExceptionHandling.SetUnhandledExceptionHandler(OnUnhandledException);
        WatchParent();
    }

    /// <summary>Ends the run with <paramref name="exitCode"/>: returns it, or exits at once when an abandoned cell still holds a thread.</summary>
    public static int Finish(int exitCode)
    {
        if (Volatile.Read(ref _abandonedCells) == 0) return exitCode;
        _exiting = true;
        ExitNow(exitCode);
        return exitCode;
    }

    /// <summary>
    /// Ends the process at once with <paramref name="exitCode"/>, after flushing the console. A cell left running may be
    /// inside libtorch on every core: <c>Environment.Exit</c> would run the native libraries' exit handlers under it, which
    /// ended the runner with a segmentation fault (139) instead of 143/130/1. The executed notebooks are written by then.
    /// </summary>
    private static void ExitNow(int exitCode)
    {
        Out.Flush();
        Error.Flush();
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) ImmediateExit(exitCode);
        Environment.Exit(exitCode);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ImmediateExit(int status);

    private static void OnProcessExit()
    {
        if (_exiting || _current is not { } run) return;
        // Only a notebook can end the process while one runs (Environment.Exit in a cell): the runner never does.
        int cell = run.RunningCell;
        if (cell >= 0)
            run.Fail(cell, "the cell ended the runner process (Environment.Exit or similar) before it finished, so the cells after it " +
                           "never ran. A notebook must not exit its kernel: remove that call.");
        try
        {
            run.Write();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error.WriteLine($"error: {run.Name}: the executed notebook could not be written: {e.Message}");
        }
        Error.WriteLine($"error: {run.Failure?.ToString() ?? $"{run.Name} ended the runner process"}");
        Environment.ExitCode = 1;
    }

    private static bool OnUnhandledException(Exception exception)
    {
        if (Environment.CurrentManagedThreadId == _mainThread) return false; // the runner's own failure: let it surface
        if (_current is { } run)
            run.BackgroundError(exception);
        else
            lock (Gate) StrayErrors.Add($"a background thread threw {exception.GetType().Name} between notebooks: {exception.Message}");
        return true; // handled: the thread ends, the runner goes on and reports the failure
    }

    private static void WatchParent()
    {
        if (!OperatingSystem.IsLinux() || !int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), out int parent)) return;
        var watcher = new Thread(() =>
        {
            while (ParentProcessId() == parent) Thread.Sleep(250);
            Error.WriteLine($"error: the process that started this runner (pid {parent}) is gone; stopping.");
            _exiting = true;
            ExitNow(1);
        })
        { IsBackground = true, Name = "runner parent watch" };
        watcher.Start();
    }

    /// <summary>The parent's process id, from /proc/self/stat ("pid (name) state ppid ...": the name may hold spaces).</summary>
    private static int ParentProcessId()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
