using System.Runtime.InteropServices;

namespace CamNotebooks.Tests;

public class EnvironmentTests
{
    [DllImport("libc", EntryPoint = "getenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr NativeGetEnvironment(string name);

    [Fact]
    public void OpenMP_threads_spin_only_briefly_unless_the_user_chose()
    {
        var report = CamEnvironment.Initialize();
        if (!OperatingSystem.IsLinux()) return;
        // The native environment (what libgomp reads), not just .NET's copy of it.
        string? policy = Marshal.PtrToStringAnsi(NativeGetEnvironment("OMP_WAIT_POLICY"));
        string? spins = Marshal.PtrToStringAnsi(NativeGetEnvironment("GOMP_SPINCOUNT"));
        Assert.Contains($"OpenMP waiting: {report.OpenMpWaitPolicy}.", report.ToString());
        if (report.OpenMpWaitPolicy.EndsWith("(set by the user)", StringComparison.Ordinal))
        {
            Assert.True(policy is not null || spins is not null);
            return;
        }
        Assert.Equal("10000", spins);
        Assert.Null(policy);
        Assert.Equal("GOMP_SPINCOUNT=10000", report.OpenMpWaitPolicy);
    }
}
