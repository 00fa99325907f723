using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using CamNotebooks.Tests.Book;
using CamNotebooks.Tests.Notebooks;

namespace CamNotebooks.Tests.Live;

/// <summary>The book's <c>live</c> command running as a child process, as a learner starts it.</summary>
internal sealed partial class LiveProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private LiveProcess(Process process, string url)
    {
        _process = process;
        Url = url;
    }

    /// <summary>The page's address.</summary>
    public string Url { get; }

    /// <summary>Everything the command printed so far.</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    /// <summary>
    /// Starts <c>live &lt;notebook&gt; --port 0</c> (and <paramref name="options"/>) and waits until it prints its address.
    /// Through <see cref="ProcessRunner.SignalableStart"/>, so that <see cref="Interrupt"/> works where the test host ignores SIGINT.
    /// </summary>
    public static LiveProcess Start(string notebook, TimeSpan timeout, params string[] options)
    {
        var start = ProcessRunner.SignalableStart("dotnet", ["exec", BookFixtures.BookAssembly, "live", notebook, "--port", "0", .. options],
            Path.GetDirectoryName(notebook)!);
        var process = Process.Start(start)!;
        var output = new StringBuilder();
        var address = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            if (Serving().Match(line) is { Success: true } m) address.TrySetResult(m.Groups["url"].Value);
        }
        process.OutputDataReceived += (_, e) => Read(e.Data);
        process.ErrorDataReceived += (_, e) => Read(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!address.Task.Wait(timeout))
        {
            process.Kill(entireProcessTree: true);
            lock (output) throw new TimeoutException($"live did not print its address within {timeout}:\n{output}");
        }
        var live = new LiveProcess(process, address.Task.Result);
        lock (output) live._output.Append(output);
        process.OutputDataReceived += (_, e) => { if (e.Data is { } l) lock (live._output) live._output.AppendLine(l); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } l) lock (live._output) live._output.AppendLine(l); };
        return live;
    }

    /// <summary>Sends Ctrl-C (SIGINT) and waits for the process to end; returns its exit code, or null if it did not end in time.</summary>
    public int? Interrupt(TimeSpan timeout)
    {
        using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString()])) kill.WaitForExit();
        if (!_process.WaitForExit(timeout)) return null;
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>The process ids of every process below this one (its kernel's process, anything that started), from /proc.</summary>
    public IReadOnlyList<int> Descendants()
    {
        var parents = new Dictionary<int, int>();
        foreach (string folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out int pid)) continue;
            try
            {
                string stat = File.ReadAllText(Path.Combine(folder, "stat"));
                parents[pid] = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // ended meanwhile
            }
        }
        var found = new List<int>();
        var queue = new Queue<int>([_process.Id]);
        while (queue.TryDequeue(out int parent))
            foreach (var (pid, _) in parents.Where(p => p.Value == parent))
            {
                found.Add(pid);
                queue.Enqueue(pid);
            }
        return found;
    }

    /// <summary>True while the process with this id exists and is not a zombie.</summary>
    public static bool Alive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => !_process.HasExited;

    /// <summary>The exit code, once the process has ended.</summary>
    public int? ExitCode => _process.HasExited ? _process.ExitCode : null;

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.Dispose();
    }

    [GeneratedRegex(@"live: serving (?<url>http://127\.0\.0\.1:\d+/\S+)")]
    private static partial Regex Serving();
}
