using System.CommandLine;
using System.Security.Cryptography;
using CamNotebooks.Book.Rendering;
using CamNotebooks.Runner;
using CamNotebooks.Tools;

namespace CamNotebooks.Book.Live;

/// <summary>
/// <c>live &lt;notebook.dib&gt;</c>: serves one notebook on 127.0.0.1 and keeps its kernel alive; every save of the .dib
/// (from any editor) re-runs the cells from the first changed one onward, and the open page updates in place.
/// </summary>
public static class LiveCommand
{
    /// <summary>The <c>live</c> subcommand.</summary>
    internal static Command Create()
    {
        var notebook = new Argument<string>("notebook.dib") { Description = "The notebook to serve and re-run on every save." };
        var port = new Option<int>("--port")
        {
            Description = "The port on 127.0.0.1; 0 picks a free one.",
            HelpName = "N",
            Arity = CommandLineTool.LastOneCounts,
            DefaultValueFactory = _ => 5175,
            CustomParser = result =>
            {
                if (int.TryParse(result.Tokens[^1].Value, out int value) && value is >= 0 and <= 65535) return value;
                result.AddError("--port takes a port number (0 for any free port).");
                return 0;
            },
        };
        var cellTimeout = CommandLineTool.Positive<double>("--cell-timeout", "number of seconds",
            "Stops a cell that runs longer than S seconds (the kernel is restarted if the cell ignores it); a save that changes the running cell stops it too.",
            CellWatch.DefaultTimeout.TotalSeconds);
        cellTimeout.HelpName = "S";
        var command = new Command("live", "Serves the notebook on http://127.0.0.1:N/ and keeps one kernel alive. Edit the .dib in any " +
            "editor: on every save, the cells from the first changed one onward run again in that kernel (cells above keep their state) " +
            "and the page updates in place, errors at their cell. A cell that ends the kernel's process is survived: the kernel is restarted and the " +
            "page says so. Ctrl-C stops it. Exit code: 0; 2 on bad input; 1 when the kernel's process keeps ending as soon as it starts.")
        {
            notebook, port, cellTimeout,
        };
        command.SetAction((parsed, stop) => RunAsync(parsed.GetRequiredValue(notebook), parsed.GetValue(port),
            TimeSpan.FromSeconds(parsed.GetValue(cellTimeout)), parsed, stop));
        return command;
    }

    /// <summary>Runs until Ctrl-C (or <paramref name="stop"/>); returns the exit code (0; 2 on bad input; 1 when the kernel's process keeps ending at start).</summary>
    private static async Task<int> RunAsync(string notebook, int port, TimeSpan cellTimeout, ParseResult parsed, CancellationToken stop)
    {
        var (output, error) = (parsed.InvocationConfiguration.Output, parsed.InvocationConfiguration.Error);
        try
        {
            NotebookReader.LoadDib(notebook); // refuse a missing or malformed notebook before starting anything
        }
        catch (NotebookFormatException e)
        {
            return CommandLineTool.Refuse(parsed, error, e.Message);
        }

        // The kernel runs in a child process of this one, started again if a cell ends it (Environment.Exit).
        if (!LiveSupervisor.IsChild) return await LiveSupervisor.RunAsync(notebook, port, cellTimeout, output);

        // The kernel redirects the console while a cell runs: keep the real one for progress lines.
        var log = output;
        using var session = new LiveSession(notebook, line => log.WriteLine($"live: {line}"), cellTimeout, LiveSupervisor.Restart);
        LiveSupervisor.InstallChild(session);
        // An exception on a thread a cell started would end the process (and the learner's kernel): show it at its cell instead.
        int mainThread = Environment.CurrentManagedThreadId;
        System.Runtime.ExceptionServices.ExceptionHandling.SetUnhandledExceptionHandler(exception =>
        {
            if (Environment.CurrentManagedThreadId == mainThread) return false;
            session.BackgroundError(exception);
            return true;
        });
        LiveServer server;
        try
        {
            server = await LiveServer.StartAsync(session, port, BookSettings.Default);
        }
        catch (IOException e)
        {
            LiveSupervisor.ChildStopping();
            error.WriteLine($"error: {e.Message}");
            return CommandLineTool.BadInput;
        }
        await using (server)
        {
            log.WriteLine($"live: serving {server.PageUrl} (127.0.0.1 only; Ctrl-C stops)");
            log.WriteLine($"live: edit {session.NotebookPath} in any editor and save; the page follows.");
            using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(stop);
            var hostStopped = server.WaitForShutdownAsync(shutdown.Token);
            var watching = WatchAsync(session, shutdown.Token, log);
            await Task.WhenAny(hostStopped, watching);
            await shutdown.CancelAsync();
            // A cell that is still running is not waited for beyond a moment: the process ends with it.
            await Task.WhenAny(watching, Task.Delay(TimeSpan.FromSeconds(2)));
            LiveSupervisor.ChildStopping();
            if (session.HoldsRunningCell)
            {
                // A running or stopped cell holds a thread that cannot be aborted, perhaps inside libtorch on every core: the
                // runtime's shutdown (native exit handlers) under it ended in a segmentation fault. End the process at once.
                log.WriteLine("live: stopped.");
                LiveSupervisor.ExitNow(0);
            }
        }
        log.WriteLine("live: stopped.");
        return 0;
    }

    /// <summary>Runs the notebook once, then again after every change of its file, until <paramref name="cancellation"/>.</summary>
    private static async Task WatchAsync(LiveSession session, CancellationToken cancellation, TextWriter log)
    {
        using var changes = new SemaphoreSlim(0);
        string folder = Path.GetDirectoryName(session.NotebookPath)!;
        string name = Path.GetFileName(session.NotebookPath);
        using var watcher = new FileSystemWatcher(folder)
        {
            NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size | NotifyFilters.CreationTime,
            IncludeSubdirectories = false,
        };
        // Editors save in place, or write a new file and rename it over the old one (vim, VS Code with some settings).
        void Signal(string? path) { if (path is not null && Path.GetFileName(path) == name) changes.Release(); }
        watcher.Changed += (_, e) => Signal(e.FullPath);
        watcher.Created += (_, e) => Signal(e.FullPath);
        watcher.Renamed += (_, e) => Signal(e.FullPath);
        watcher.EnableRaisingEvents = true;
        string seen = Fingerprint(session.NotebookPath);
        bool Superseded()
        {
            string now = Fingerprint(session.NotebookPath);
            return now != seen;
        }
        try
        {
            await session.UpdateAsync(Superseded);
            while (!cancellation.IsCancellationRequested)
            {
                // Also look every second: file-change events do not reach every kind of folder (network drives, some containers).
                await changes.WaitAsync(TimeSpan.FromSeconds(1), cancellation);
                await Task.Delay(50, cancellation); // editors write in bursts
                while (changes.CurrentCount > 0) changes.Wait(0);
                string now = Fingerprint(session.NotebookPath);
                if (now == seen) continue;
                seen = now;
                await session.UpdateAsync(Superseded);
            }
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C
        }
        catch (Exception e)
        {
            log.WriteLine($"live: stopped watching: {e}");
            throw;
        }
    }

    private static string Fingerprint(string path)
    {
        try
        {
            return Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
        }
        catch (IOException)
        {
            return "unreadable";
        }
    }
}
