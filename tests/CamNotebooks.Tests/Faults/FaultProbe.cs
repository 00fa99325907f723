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

    /// <summary>The tests run as root, for whom file modes do not bite: child processes that must meet a read-only folder or an
    /// unreadable file run as the user "nobody" (through util-linux setpriv) instead.</summary>
    public static bool RunningAsRoot => OperatingSystem.IsLinux() && Environment.UserName == "root";

    /// <summary>Starts the probe without waiting (for tests that kill it).</summary>
    public static Process Start(string scenario, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments) =>
        Start(scenario, asNobody: false, environment, arguments);

    private static Process Start(string scenario, bool asNobody, IReadOnlyDictionary<string, string>? environment, string[] arguments)
    {
        var start = new ProcessStartInfo(asNobody ? "setpriv" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] command = ["exec", Assembly, scenario, .. arguments];
        if (asNobody) command = ["--reuid=65534", "--regid=65534", "--clear-groups", "dotnet", .. command];
        foreach (var argument in command) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        return Process.Start(start)!;
    }

    /// <summary>Runs the probe to completion (two minutes at most).</summary>
    public static Outcome Run(string scenario, IReadOnlyDictionary<string, string>? environment = null, params string[] arguments) =>
        Run(scenario, asNobody: false, environment, arguments);

    /// <summary>Runs the probe as an unprivileged user when the tests run as root (see <see cref="RunningAsRoot"/>), so that
    /// file modes apply. Every folder it needs must be reachable by that user: pass them through <paramref name="environment"/>.</summary>
    public static Outcome RunUnprivileged(string scenario, IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        Run(scenario, asNobody: RunningAsRoot, environment, arguments);

    private static Outcome Run(string scenario, bool asNobody, IReadOnlyDictionary<string, string>? environment, string[] arguments)
    {
        using var process = Start(scenario, asNobody, environment, arguments);
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

    /// <summary>A fresh temp folder that every user may enter and write (mode 777), deleted by the caller.</summary>
    public static string TempFolder(string name)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"camnb-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(folder, (UnixFileMode)0b111_111_111);
        return folder;
    }
}
