using System.Diagnostics;
using System.Text;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>Runs a command to completion and captures what it printed.</summary>
public static class ProcessRunner
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
    }

    /// <summary>
    /// How long the output is read after the process has exited. A process it started (an MSBuild node, a build server) can
    /// inherit its output pipes and keep them open for many minutes after it exits; reading them to their end would then
    /// hang the test, so the reading stops after this and the outcome holds what was read.
    /// </summary>
    internal static readonly TimeSpan OutputGrace = TimeSpan.FromSeconds(30);

    public static Outcome Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout) =>
        Run(fileName, arguments, workingDirectory, timeout, OutputGrace);

    /// <summary>As above, reading the output at most <paramref name="outputGrace"/> after the process exits.</summary>
    internal static Outcome Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout, TimeSpan outputGrace)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var reading = Task.WhenAll(Pump(process.StandardOutput, stdout), Pump(process.StandardError, stderr));
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            reading.Wait(outputGrace);
            string tail = Text(stdout);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout} and was killed. " +
                                       $"The end of its output:\n{tail[Math.Max(0, tail.Length - 3000)..]}\n--- stderr\n{Text(stderr)}");
        }
        if (!reading.Wait(outputGrace))
            lock (stderr)
                stderr.AppendLine($"(the process exited with code {process.ExitCode}, but its output was still open {outputGrace.TotalSeconds:0} s later: " +
                                  "a process it started holds it; what it wrote until then is above)");
        return new Outcome(process.ExitCode, Text(stdout), Text(stderr));
    }

    /// <summary>
    /// The start of a child process a test will stop with SIGINT or SIGTERM, output redirected: through
    /// <c>env --default-signal=INT,TERM</c>. A test host started as a background job (<c>dotnet test ... &amp;</c> in a
    /// non-interactive shell) ignores SIGINT and passes that on to its children, and .NET then installs no Ctrl-C handler,
    /// so the signal would do nothing. <c>env</c> execs the command: the process id is the child's own.
    /// </summary>
    public static ProcessStartInfo SignalableStart(string fileName, IEnumerable<string> arguments, string workingDirectory)
    {
        var start = new ProcessStartInfo("env") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])["--default-signal=INT,TERM", fileName, .. arguments]) start.ArgumentList.Add(argument);
        return start;
    }

    private static string Text(StringBuilder sink)
    {
        lock (sink) return sink.ToString();
    }

    private static Task Pump(StreamReader reader, StringBuilder sink) => Task.Run(async () =>
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
            lock (sink) sink.Append(buffer, 0, read);
    });

    /// <summary>Runs the project's notebook runner on <paramref name="notebooks"/>, writing executed copies to <paramref name="output"/>.</summary>
    public static Outcome RunNotebooks(string output, params string[] notebooks) => RunNotebooks(output, 1, notebooks);

    /// <summary>As above, running every cell <paramref name="passes"/> times in the same kernel.</summary>
    public static Outcome RunNotebooks(string output, int passes, params string[] notebooks) => RunNotebooks(output, passes, false, notebooks);

    /// <summary>As above; with <paramref name="rerunReverse"/>, every code cell then runs once more, last to first.</summary>
    public static Outcome RunNotebooks(string output, int passes, bool rerunReverse, params string[] notebooks) =>
        RunNotebooks(output, passes, rerunReverse, requireChecks: false, notebooks);

    /// <summary>As above; with <paramref name="requireChecks"/>, an exercise check that does not pass fails the run.</summary>
    public static Outcome RunNotebooks(string output, int passes, bool rerunReverse, bool requireChecks, params string[] notebooks) =>
        RunNotebooks(output, passes, rerunReverse, requireChecks, TimeSpan.FromMinutes(15), notebooks);

    /// <summary>As above, with the time the whole process may take.</summary>
    public static Outcome RunNotebooks(string output, int passes, bool rerunReverse, bool requireChecks, TimeSpan timeout, params string[] notebooks) =>
        Run("dotnet", ["exec", Repository.RunnerAssembly, "run", .. notebooks, "--output", output, "--passes", passes.ToString(),
            .. (rerunReverse ? new[] { "--rerun-reverse" } : []), .. (requireChecks ? new[] { "--require-checks" } : [])],
            Repository.Root, timeout);
}
