using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace CamNotebooks.Book.Building;

/// <summary>How one run of the notebook runner ended.</summary>
/// <param name="ExitCode">0: every cell passed; 1: a cell failed (the notebook is still written); 2: bad input; other: the runner crashed.</param>
/// <param name="ExecutedNotebook">The .ipynb it wrote, or null when it wrote none.</param>
/// <param name="StandardError">What it printed to stderr (the failure, for exit codes other than 0).</param>
/// <param name="Elapsed">Wall time.</param>
public sealed record RunnerOutcome(int ExitCode, string? ExecutedNotebook, string StandardError, TimeSpan Elapsed);

/// <summary>
/// Starts lib/CamNotebooks.Runner as a separate process for each notebook: every notebook gets a fresh kernel
/// (as in VS Code), and a native crash in one notebook cannot take the book build down with it.
/// </summary>
public static class RunnerProcess
{
    /// <summary>The runner built with this program (same configuration), as recorded at build time.</summary>
    public static string DefaultRunnerAssembly { get; } =
        typeof(RunnerProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RunnerAssembly").Value!;

    /// <summary>The variable through which the runner learns which process started it (see the runner's RunnerGuards).</summary>
    public const string ParentVariable = "CAMNOTEBOOKS_RUNNER_PARENT_PID";

    private static readonly HashSet<Process> Running = [];

    /// <summary>Stops every runner this process started and that still runs: called when the book is stopped by a signal.</summary>
    public static void StopAll()
    {
        lock (Running)
        {
            foreach (var process in Running)
            {
                try
                {
                    process.Kill(entireProcessTree: true);
                }
                catch (InvalidOperationException)
                {
                    // Already gone.
                }
            }
        }
    }

    /// <summary>The exit code a run gets when the book stopped it at its --timeout.</summary>
    public const int TimedOut = -1;

    private static string Minutes(TimeSpan span) => span.TotalMinutes == 1 ? "1 minute" : $"{span.TotalMinutes:0.##} minutes";

    /// <summary>Sends SIGTERM (Unix); false where that is not possible.</summary>
    private static bool Terminate(Process process)
    {
        if (OperatingSystem.IsWindows()) return false;
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            kill?.WaitForExit();
            return kill?.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static async Task<bool> ExitsWithinAsync(Process process, TimeSpan grace)
    {
        using var wait = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(wait.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static Untrack Track(Process process)
    {
        lock (Running) Running.Add(process);
        return new Untrack(process);
    }

    private sealed class Untrack(Process process) : IDisposable
    {
        public void Dispose()
        {
            lock (Running) Running.Remove(process);
        }
    }

    /// <summary>Runs <paramref name="notebook"/> and writes its executed copy into <paramref name="outputFolder"/>; forwards progress lines to <paramref name="log"/>.</summary>
    /// <exception cref="FileNotFoundException">The runner is not built.</exception>
    public static async Task<RunnerOutcome> RunAsync(string runnerAssembly, NotebookSource notebook, string outputFolder, string workingDirectory, TimeSpan timeout, Action<string> log)
    {
        if (!File.Exists(runnerAssembly))
            throw new FileNotFoundException($"The notebook runner {runnerAssembly} is not built. Run 'dotnet build CamNotebooks.sln -c Release' first, or pass --runner <path to CamNotebooks.Runner.dll>.", runnerAssembly);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[] { "exec", runnerAssembly, "run", notebook.FullPath, "--output", outputFolder })
            start.ArgumentList.Add(argument);
        // The runner watches this process and stops when it is gone, even when it is killed with SIGKILL.
        start.Environment[ParentVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start 'dotnet'. Is the .NET SDK on the PATH?");
        using var tracked = Track(process);
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is { } line) log(line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) lock (stderr) stderr.AppendLine(line); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        string? timedOut = null;
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            // SIGTERM first: the runner then writes the cells that finished and exits (143); only if it does not, it is killed.
            bool stopped = Terminate(process) && await ExitsWithinAsync(process, TimeSpan.FromSeconds(30));
            if (!stopped)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }
            timedOut = $"{notebook.RelativePath} did not finish within {Minutes(timeout)} (--timeout) and was stopped" +
                       (stopped ? "; the cells that finished are shown." : " (killed: it did not stop when asked).");
        }
        process.WaitForExit(); // drains the redirected streams
        string written = Path.Combine(outputFolder, Path.ChangeExtension(Path.GetFileName(notebook.FullPath), ".ipynb"));
        string error;
        lock (stderr) error = stderr.ToString();
        if (timedOut is not null) error = $"{error}error: {timedOut}\n";
        return new RunnerOutcome(timedOut is null ? process.ExitCode : TimedOut, File.Exists(written) ? written : null, error, stopwatch.Elapsed);
    }
}
