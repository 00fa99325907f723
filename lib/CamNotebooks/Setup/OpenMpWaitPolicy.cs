using System.Runtime.InteropServices;

namespace CamNotebooks.Setup;

/// <summary>
/// Asks libtorch's OpenMP threads to sleep, not spin, while they wait for work (<c>OMP_WAIT_POLICY=PASSIVE</c>), unless
/// the user already chose a policy.
/// </summary>
/// <remarks>
/// By default OpenMP worker threads busy-wait after each parallel region. On a small machine shared with other work (a
/// notebook kernel beside VS Code, a test run beside a build) the spinning threads steal the cores the next operation
/// needs: measured on a loaded 2-core machine, one ResNet forward pass at batch 8 took 9-11 s with two threads by
/// default and 3.0 s with this policy. OpenMP reads the variable once, when libtorch is loaded, so this must run before
/// the first use of TorchSharp; and it must go through the C library's <c>setenv</c>, because .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not change the native environment on Unix.
/// </remarks>
internal static class OpenMpWaitPolicy
{
    private const string Variable = "OMP_WAIT_POLICY";

    /// <summary>Sets the policy to PASSIVE on Linux and macOS when it is unset. Returns the policy in force.</summary>
    public static string Apply()
    {
        string? current = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrEmpty(current)) return current;
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS()) return "(OpenMP default)";
        if (SetEnvironment(Variable, "PASSIVE", overwrite: 0) != 0) return "(OpenMP default: setenv failed)";
        Environment.SetEnvironmentVariable(Variable, "PASSIVE"); // keep .NET's view in step, and pass it to child processes
        return "PASSIVE";
    }

    // DllImport rather than LibraryImport: the library is built without unsafe code, and ASCII strings marshal the same.
    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnvironment(string name, string value, int overwrite);
}
