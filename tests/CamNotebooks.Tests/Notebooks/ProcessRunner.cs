using System.Diagnostics;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>Runs a command to completion and captures what it printed.</summary>
public static class ProcessRunner
{
    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
    }

    public static Outcome Run(string fileName, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}.");
        }
        process.WaitForExit();
        return new Outcome(process.ExitCode, stdout.Result, stderr.Result);
    }

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
