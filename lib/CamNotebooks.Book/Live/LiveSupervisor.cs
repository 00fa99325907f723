using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace CamNotebooks.Book.Live;

/// <summary>
/// Why a live loop's kernel process was started again: the process before it ended while the notebook ran
/// (a cell called <c>Environment.Exit</c>, or the process crashed).
/// </summary>
/// <param name="ExitCode">The ended process's exit code.</param>
/// <param name="Cell">The 1-based cell that was running, or 0 when none was (a background thread ended it).</param>
/// <param name="CellSource">That cell's source, to know whether the learner has changed it since.</param>
/// <param name="Version">The page version the ended process had reached: the new one starts above it, so open pages update.</param>
/// <param name="LastCell">The 1-based cell that ran last (0 when none had): a thread it (or a cell above it) started may have ended the process.</param>
/// <param name="Replaying">True when the ended process was itself a restart still running the cells the restart ran on its own:
/// the notebook then ends every kernel it runs in, and the next one runs nothing until the learner saves.</param>
/// <param name="NotebookHash">The hash of the notebook's text the ended process had read, to know whether it was saved since.</param>
/// <param name="Recorded">False when the process ended without writing this record (a crash in native code, a signal).</param>
public sealed record LiveRestart(int ExitCode, int Cell, string? CellSource, long Version, int LastCell = 0, bool Replaying = false,
    string? NotebookHash = null, bool Recorded = true);

/// <summary>
/// Keeps the live loop alive when a notebook ends its process: <c>live</c> runs the server and the kernel in a child
/// process of itself and starts it again (same port, a note at the cell that ended it) when it ends on its own. Ctrl-C or
/// SIGTERM to either process stops both; the child also stops when this process is gone.
/// </summary>
internal static class LiveSupervisor
{
    /// <summary>Set in the child: the file it writes a <see cref="LiveRestart"/> to if it ends while the notebook runs.</summary>
    public const string RecordVariable = "CAMNOTEBOOKS_LIVE_RECORD";

    /// <summary>Set in the child: the <see cref="LiveRestart"/> (JSON) of the process it replaces.</summary>
    public const string RestartVariable = "CAMNOTEBOOKS_LIVE_RESTART";

    /// <summary>Set in the child: the supervisor's process id.</summary>
    public const string ParentVariable = "CAMNOTEBOOKS_LIVE_PARENT_PID";

    /// <summary>How many restarts in a row, each within <see cref="QuickEnd"/> of its start, before the loop gives up.</summary>
    private const int QuickRestartsAllowed = 3;

    private static readonly TimeSpan QuickEnd = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(10);
    private static volatile bool _stopping;

    /// <summary>True in the child process that serves the notebook.</summary>
    public static bool IsChild => Environment.GetEnvironmentVariable(RecordVariable) is { Length: > 0 };

    /// <summary>The restart this child replaces a process for, or null for the first one.</summary>
    public static LiveRestart? Restart =>
        Environment.GetEnvironmentVariable(RestartVariable) is { Length: > 0 } json ? JsonSerializer.Deserialize<LiveRestart>(json) : null;

    /// <summary>
    /// Runs the live loop in a child process until Ctrl-C or SIGTERM, starting it again when it ends on its own.
    /// Returns 0 when stopped, 2 when the child refused its input, 1 when it kept ending at once.
    /// </summary>
    public static async Task<int> RunAsync(string notebook, int port, TimeSpan cellTimeout, TextWriter log)
    {
        if (port == 0) port = FreePort(); // every restart listens where the open page looks
        string record = Path.Combine(Path.GetTempPath(), $"camnb-live-{Environment.ProcessId}-{Guid.NewGuid():N}.json");
        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Process? child = null;
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            _stopping = true;
            stop.TrySetResult();
            if (child is { } running) Signal(running, 15);
        }
        using var onInterrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var onTerminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        LiveRestart? restart = null;
        int quickEnds = 0;
        try
        {
            while (true)
            {
                File.Delete(record);
                var started = Stopwatch.StartNew();
                child = Process.Start(ChildStart(notebook, port, cellTimeout, record, restart))!;
                if (_stopping) Signal(child, 15);
                await Task.WhenAny(child.WaitForExitAsync(), stop.Task);
                if (_stopping)
                {
                    await StopAsync(child);
                    return 0;
                }
                int exitCode = child.ExitCode;
                restart = ReadRecord(record);
                child.Dispose();
                child = null;
                if (restart is null && exitCode is 0 or 2) return exitCode; // stopped from the terminal, or bad input
                restart = restart is null ? new LiveRestart(exitCode, 0, null, 0, Recorded: false) : restart with { ExitCode = exitCode };
                quickEnds = started.Elapsed < QuickEnd ? quickEnds + 1 : 0;
                if (quickEnds > QuickRestartsAllowed)
                {
                    log.WriteLine($"live: the kernel's process ended {quickEnds} times in a row within {QuickEnd.TotalSeconds:0} s of starting " +
                                  $"(last exit code {exitCode}); giving up.");
                    return 1;
                }
                log.WriteLine(restart.Cell > 0
                    ? $"live: the kernel's process ended while cell {restart.Cell} ran (exit code {exitCode}); restarting the kernel."
                    : $"live: the kernel's process ended (exit code {exitCode}); restarting the kernel.");
            }
        }
        finally
        {
            if (child is { HasExited: false } left) await StopAsync(left);
            File.Delete(record);
        }
    }

    /// <summary>Asks the child to stop (SIGTERM) and kills it, with anything it started, if it has not ended after a grace period.</summary>
    private static async Task StopAsync(Process child)
    {
        using var grace = new CancellationTokenSource(StopGrace);
        try
        {
            Signal(child, 15);
            await child.WaitForExitAsync(grace.Token);
        }
        catch (OperationCanceledException)
        {
            child.Kill(entireProcessTree: true);
            await child.WaitForExitAsync(CancellationToken.None);
        }
    }

    private static ProcessStartInfo ChildStart(string notebook, int port, TimeSpan cellTimeout, string record, LiveRestart? restart)
    {
        string host = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(host) { UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add("exec");
            start.ArgumentList.Add(typeof(LiveSupervisor).Assembly.Location);
        }
        foreach (string argument in (string[])["live", Path.GetFullPath(notebook), "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--cell-timeout", cellTimeout.TotalSeconds.ToString("R", System.Globalization.CultureInfo.InvariantCulture)])
            start.ArgumentList.Add(argument);
        start.Environment[RecordVariable] = record;
        start.Environment[ParentVariable] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (restart is null) start.Environment.Remove(RestartVariable);
        else start.Environment[RestartVariable] = JsonSerializer.Serialize(restart);
        return start;
    }

    private static LiveRestart? ReadRecord(string path)
    {
        try
        {
            return File.Exists(path) && File.ReadAllText(path) is { Length: > 0 } json ? JsonSerializer.Deserialize<LiveRestart>(json) : null;
        }
        catch (Exception e) when (e is IOException or JsonException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Signal(Process process, int signal)
    {
        try
        {
            if (!process.HasExited) _ = Kill(process.Id, signal);
        }
        catch (InvalidOperationException)
        {
            // Gone already.
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    /// <summary>
    /// Ends the process at once with <paramref name="exitCode"/>, after flushing the console. A cell left running may be
    /// inside libtorch on every core: the runtime's shutdown (the native libraries' exit handlers) under it ended in a
    /// segmentation fault (139), as in the runner.
    /// </summary>
    public static void ExitNow(int exitCode)
    {
        _stopping = true;
        Console.Out.Flush();
        Console.Error.Flush();
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS()) ImmediateExit(exitCode);
        Environment.Exit(exitCode);
    }

    [DllImport("libc", EntryPoint = "_exit")]
    private static extern void ImmediateExit(int status);

    /// <summary>
    /// In the child: writes a <see cref="LiveRestart"/> when the process ends while the notebook runs (a cell's
    /// <c>Environment.Exit</c>), unless <see cref="ChildStopping"/> was called; and ends the process when the supervisor is gone.
    /// </summary>
    public static void InstallChild(LiveSession session)
    {
        string record = Environment.GetEnvironmentVariable(RecordVariable)!;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            if (_stopping) return;
            try
            {
                File.WriteAllText(record, JsonSerializer.Serialize(session.Ended(Environment.ExitCode)));
            }
            catch (IOException)
            {
                // The supervisor restarts the process without the cell's note.
            }
        };
        if (!int.TryParse(Environment.GetEnvironmentVariable(ParentVariable), out int parent) || !OperatingSystem.IsLinux()) return;
        new Thread(() =>
        {
            while (ParentProcessId() == parent) Thread.Sleep(250);
            _stopping = true;
            ExitNow(1);
        })
        { IsBackground = true, Name = "live supervisor watch" }.Start();
    }

    /// <summary>In the child: the process is ending by the live loop's own decision (stopped), not by the notebook's.</summary>
    public static void ChildStopping() => _stopping = true;

    /// <summary>The parent's process id, from /proc/self/stat ("pid (name) state ppid ...": the name may hold spaces).</summary>
    private static int ParentProcessId()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
