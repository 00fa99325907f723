using System.Diagnostics;
using Executed = CamNotebooks.Book.Notebooks.ExecutedNotebook;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>
/// Stopping the runner while TorchSharp works on both cores (issue 21, item 4): it used to end in a segmentation fault
/// (exit 139) when SIGTERM, SIGINT or --cell-timeout left a libtorch cell running while the process exited.
/// </summary>
[Collection(NotebookCollection.Name)]
public class TorchStopTests
{
    /// <summary>How long one runner may live in these tests, whatever happens: then it is killed and the test fails.</summary>
    private static readonly TimeSpan HardLimit = TimeSpan.FromMinutes(6);

    /// <summary>A notebook that loads the library (by absolute path) and then multiplies matrices on every core until stopped.</summary>
    private static string TorchNotebook()
    {
        string folder = Path.Combine(Path.GetTempPath(), "camnb-torch-stop-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        string setup = Path.Combine(Repository.Root, "artifacts", "notebook-lib", "setup.csx");
        string path = Path.Combine(folder, "torch_forever.dib");
        File.WriteAllText(path,
            "#!meta\n\n{\"kernelInfo\":{\"defaultKernelName\":\"csharp\",\"items\":[{\"aliases\":[],\"name\":\"csharp\"},{\"aliases\":[],\"name\":\"markdown\"}]}}\n\n" +
            $"#!csharp\n\n#!import {setup}\n\n" +
            "#!csharp\n\ntorch.set_num_threads(2);\nConsole.WriteLine(\"ready\");\n\n" +
            "#!csharp\n\nwhile (true) { using var a = torch.randn(700, 700); using var b = a.matmul(a); }\n");
        return path;
    }

    /// <summary>
    /// Runs the runner on <paramref name="notebook"/>; once the endless cell (cell 3) runs, sends <paramref name="signal"/>
    /// (none: waits for --cell-timeout). The runner is started through <c>env --default-signal</c>: a process started
    /// where SIGINT is ignored (a test host run as a background job) passes that on, and .NET then never sees SIGINT; the
    /// earlier version of this test waited for ever there. Every wait is bounded by <see cref="HardLimit"/>, after which the
    /// runner is killed and the test fails.
    /// </summary>
    internal static Task<(int ExitCode, string Output, string Errors)> StopAsync(string notebook, string output, string? signal,
        string waitFor, TimeSpan settle, params string[] options) =>
        // On the thread pool, with blocking reads on threads of their own: with the pipes read through awaits on the test
        // framework's context, the runner's 'cell 1 ok' sat unread in its stdout pipe for minutes (measured with FIONREAD)
        // while the runner had gone on to cell 3: the earlier "never reached" failures were the test's, not the runner's.
        Task.Run(() => Stop(notebook, output, signal, waitFor, settle, options));

    private static (int ExitCode, string Output, string Errors) Stop(string notebook, string output, string? signal,
        string waitFor, TimeSpan settle, string[] options)
    {
        var start = ProcessRunner.SignalableStart("dotnet", ["exec", Repository.RunnerAssembly, "run", notebook, "--output", output, .. options], Repository.Root);
        using var runner = Process.Start(start)!;
        var clock = Stopwatch.StartNew();
        TimeSpan Left() => HardLimit - clock.Elapsed > TimeSpan.Zero ? HardLimit - clock.Elapsed : TimeSpan.Zero;
        using var lines = new System.Collections.Concurrent.BlockingCollection<string>();
        var errors = new System.Text.StringBuilder();
        var readers = new[]
        {
            new Thread(() => { try { for (string? l; (l = runner.StandardOutput.ReadLine()) is not null;) lines.Add(l); } finally { lines.CompleteAdding(); } }) { IsBackground = true },
            new Thread(() => { for (string? l; (l = runner.StandardError.ReadLine()) is not null;) lock (errors) errors.AppendLine(l); }) { IsBackground = true },
        };
        foreach (var reader in readers) reader.Start();
        string Errors() { lock (errors) return errors.ToString(); }
        var seen = new System.Text.StringBuilder();
        bool reached = false, sent = false;
        while (!reached && !lines.IsCompleted && lines.TryTake(out string? line, Left()))
        {
            seen.AppendLine(line);
            reached = line.Contains(waitFor, StringComparison.Ordinal);
        }
        if (reached && signal is not null)
        {
            Thread.Sleep(settle); // let the matrix products run on both cores
            Assert.False(SignalIgnored(runner.Id, signal), $"SIG{signal} is ignored by the runner process: the test cannot stop it");
            using var kill = Process.Start("kill", ["-" + signal, runner.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            sent = kill.WaitForExit(TimeSpan.FromSeconds(30));
        }
        if (reached && runner.WaitForExit(Left()))
        {
            runner.WaitForExit(); // the pipes to their end
            foreach (var reader in readers) reader.Join(TimeSpan.FromSeconds(30));
            foreach (string rest in lines) seen.AppendLine(rest);
            return (runner.ExitCode, seen.ToString(), Errors());
        }
        seen.AppendLine(ProcessState(runner.Id)); // what the runner was doing: working slowly (CPU time grows) or waiting
        runner.Kill(entireProcessTree: true);
        runner.WaitForExit(TimeSpan.FromSeconds(30));
        Assert.Fail(!reached && lines.IsCompleted
            ? $"the runner ended before '{waitFor}':\n{seen}\n{Errors()}"
            : reached
                ? $"the runner did not end within {HardLimit} (killed){(sent ? $"; SIG{signal} was sent" : "")}:\n{seen}\n{Errors()}"
                : $"the runner did not reach '{waitFor}' within {HardLimit} (killed; a very busy machine?):\n{seen}\n{Errors()}");
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>The process's state, CPU time, children and each thread's state and wait channel, from /proc (Linux).</summary>
    private static string ProcessState(int pid)
    {
        if (!OperatingSystem.IsLinux()) return "";
        try
        {
            static string[] Stat(string path) { string stat = File.ReadAllText(path); return stat[(stat.LastIndexOf(')') + 2)..].Split(' '); }
            var process = Stat($"/proc/{pid}/stat");
            var text = new System.Text.StringBuilder($"runner {pid}: state {process[0]}, CPU {(long.Parse(process[11]) + long.Parse(process[12])) / 100.0:F1} s, " +
                                                     $"children's CPU {(long.Parse(process[13]) + long.Parse(process[14])) / 100.0:F1} s\n");
            foreach (string task in Directory.GetDirectories($"/proc/{pid}/task"))
            {
                var thread = Stat(Path.Combine(task, "stat"));
                text.AppendLine($"  thread {Path.GetFileName(task)} {File.ReadAllText(Path.Combine(task, "comm")).Trim()}: {thread[0]} " +
                                $"wchan {File.ReadAllText(Path.Combine(task, "wchan"))}, CPU {(long.Parse(thread[11]) + long.Parse(thread[12])) / 100.0:F1} s");
            }
            return text.ToString();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return $"runner {pid}: /proc not readable ({e.Message})";
        }
    }

    /// <summary>True when the process's SigIgn mask (Linux) holds the signal.</summary>
    private static bool SignalIgnored(int pid, string signal)
    {
        if (!OperatingSystem.IsLinux()) return false;
        int number = signal switch { "INT" => 2, "TERM" => 15, _ => throw new ArgumentException(signal) };
        string? mask = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return mask is not null && (Convert.ToUInt64(mask["SigIgn:".Length..].Trim(), 16) & (1UL << (number - 1))) != 0;
    }

    [Theory]
    [InlineData("TERM", 143)]
    [InlineData("INT", 130)]
    public async Task A_signal_during_torch_work_exits_with_the_signals_code_and_writes_the_finished_cells(string signal, int exitCode)
    {
        string notebook = TorchNotebook();
        string output = Path.Combine(Path.GetDirectoryName(notebook)!, "out");
        var (code, stdout, errors) = await StopAsync(notebook, output, signal, "cell 2 ok", TimeSpan.FromSeconds(2));
        Assert.True(code == exitCode, $"exit {code} (139 is a segmentation fault)\n{stdout}\n{errors}");
        var cells = Executed.Load(Path.Combine(output, "torch_forever.ipynb")).Cells;
        Assert.Contains(cells.SelectMany(c => c.Outputs), o => o is CamNotebooks.Book.Notebooks.StreamOutput s && s.Text.Contains("ready"));
        Assert.Contains($"stopped by SIG{signal}", errors);
    }

    [Fact]
    public async Task A_cell_timeout_during_torch_work_is_a_failure_not_a_crash()
    {
        string notebook = TorchNotebook();
        string output = Path.Combine(Path.GetDirectoryName(notebook)!, "out");
        // Every cell has this limit, the set-up too (about 7 s here, more on a loaded machine); the endless cell keeps both
        // cores busy until it, so it is no longer than it needs to be.
        var (code, stdout, errors) = await StopAsync(notebook, output, signal: null, "cell 1 ok", TimeSpan.Zero, "--cell-timeout", "30");
        Assert.True(code == 1, $"exit {code} (139 is a segmentation fault)\n{stdout}\n{errors}");
        Assert.Contains("cell 3 failed", errors);
        Assert.Contains("did not finish within 30 s", errors);
        Assert.True(File.Exists(Path.Combine(output, "torch_forever.ipynb")));
    }
}
