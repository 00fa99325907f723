using System.Diagnostics;
using System.Reflection;

namespace CamNotebooks.Tests.Faults;

/// <summary>
/// Runs one scenario of tests/CamNotebooks.FaultProbe in a child process, so that a crash (abort, bus error) ends that
/// process and not the test host. Each call gets the environment the test passes, e.g. cache folders in a temp folder.
/// </summary>
public static class FaultProbe
{
    private static string Assembly { get; } = typeof(FaultProbe).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "FaultProbeAssembly").Value!;

    public sealed record Outcome(int ExitCode, string StandardOutput, string StandardError)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{StandardOutput}\n--- stderr\n{StandardError}";
    }

    /// <summary>Starts the probe without waiting (for tests that kill it).</summary>
    public static Process Start(string scenario, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", Assembly, scenario }.Concat(arguments)) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>Runs the probe to completion (two minutes at most).</summary>
    public static Outcome Run(string scenario, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments)
    {
        using var process = Start(scenario, environment, arguments);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"fault probe '{scenario}' did not finish within two minutes.");
        }
        process.WaitForExit();
        return new Outcome(process.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A fresh temp folder, deleted by the caller.</summary>
    public static string TempFolder(string name)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"camnb-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        return folder;
    }
}
