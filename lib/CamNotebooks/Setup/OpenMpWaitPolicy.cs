using System.Runtime.InteropServices;

namespace CamNotebooks.Setup;

/// <summary>
/// Tells libtorch's OpenMP threads how long to spin before they sleep while waiting for work, unless the user already chose
/// (<c>OMP_WAIT_POLICY</c> or <c>GOMP_SPINCOUNT</c> set): on Linux a short spin (<c>GOMP_SPINCOUNT=10000</c>, about 0.1 ms),
/// elsewhere no spinning at all (<c>OMP_WAIT_POLICY=PASSIVE</c>).
/// </summary>
/// <remarks>
/// <para>Neither extreme works on a small machine. libgomp's default spins about 3 ms after every parallel region: on a loaded
/// 2-core machine the spinning threads steal the cores the next operation needs (one ResNet forward pass at batch 8 took
/// 9-11 s with two threads, 3.0 s without spinning; at batch 1 under load, 335 ms against 92 ms). Not spinning at all costs a
/// sleep and wake-up for each of the forward pass's ~60 parallel operations: on a quiet machine a batch-1 forward took 33-38 ms
/// against 24-28 ms with the short spin, which covers the gap between two operations but gives the cores back within 0.1 ms.
/// Measured with <c>CamNotebooks.Bench model</c>.</para>
/// <para>OpenMP reads the variables once, when libtorch is loaded, so this must run before the first use of TorchSharp; and it
/// must go through the C library's <c>setenv</c>, because .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/>
/// does not change the native environment on Unix. macOS builds of libtorch use LLVM's OpenMP, which ignores
/// <c>GOMP_SPINCOUNT</c>; there the policy stays PASSIVE (not measured: no Mac here).</para>
/// </remarks>
internal static class OpenMpWaitPolicy
{
    /// <summary>The standard OpenMP variable: ACTIVE (spin) or PASSIVE (sleep).</summary>
    public const string PolicyVariable = "OMP_WAIT_POLICY";

    /// <summary>libgomp's own variable: how many times a waiting thread spins before it sleeps.</summary>
    public const string SpinCountVariable = "GOMP_SPINCOUNT";

    /// <summary>The spin count set on Linux (libgomp counts roughly 100,000 spins per millisecond).</summary>
    public const string ShortSpin = "10000";

    /// <summary>Sets the waiting behaviour if the user has not; returns a description of the one in force.</summary>
    public static string Apply()
    {
        string? policy = Environment.GetEnvironmentVariable(PolicyVariable);
        string? spins = Environment.GetEnvironmentVariable(SpinCountVariable);
        if (!string.IsNullOrEmpty(policy) || !string.IsNullOrEmpty(spins))
            return Describe(policy, spins) + " (set by the user)";
        if (OperatingSystem.IsLinux())
            return Set(SpinCountVariable, ShortSpin) ? Describe(null, ShortSpin) : "OpenMP default (setenv failed)";
        if (OperatingSystem.IsMacOS())
            return Set(PolicyVariable, "PASSIVE") ? Describe("PASSIVE", null) : "OpenMP default (setenv failed)";
        return "OpenMP default";
    }

    private static string Describe(string? policy, string? spins) =>
        string.Join(", ", new[] { policy is null ? null : $"{PolicyVariable}={policy}", spins is null ? null : $"{SpinCountVariable}={spins}" }.OfType<string>());

    private static bool Set(string name, string value)
    {
        if (SetEnvironment(name, value, overwrite: 0) != 0) return false;
        Environment.SetEnvironmentVariable(name, value); // keep .NET's view in step, and pass it to child processes
        return true;
    }

    // DllImport rather than LibraryImport: the library is built without unsafe code, and ASCII strings marshal the same.
    [DllImport("libc", EntryPoint = "setenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern int SetEnvironment(string name, string value, int overwrite);
}
