using System.Runtime.InteropServices;
using CamNotebooks.Tests.Faults;

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

    [Fact]
    public void Set_up_ran_before_libtorch_was_loaded_into_the_test_process()
    {
        var report = CamEnvironment.Initialize();
        if (!OperatingSystem.IsLinux()) return;
        Assert.False(report.LibTorchMappedBeforeSetUp, "libtorch was already in the test process when the set-up began.");
        Assert.True(Setup.RuntimeSetup.LibTorchMapped(), "libtorch should be loaded by now; the check reads /proc/self/maps.");
    }

    [Fact]
    public void Set_up_runs_when_the_library_is_first_touched_and_notices_a_libtorch_loaded_before_it()
    {
        if (!OperatingSystem.IsLinux()) return;
        string cache = Path.Combine(Path.GetTempPath(), "camnb-setup-order-" + Guid.NewGuid().ToString("N"));
        var environment = new Dictionary<string, string> { ["CAMNOTEBOOKS_NATIVE_CACHE"] = cache };
        try
        {
            var fresh = FaultProbe.Run("native", environment);
            Assert.True(fresh.ExitCode == 0, fresh.ToString());
            Assert.Contains("mapped before set-up False", fresh.StandardOutput);
            Assert.Contains("sum 4", fresh.StandardOutput);
            // The same start, but libtorch loaded by hand before the library: the check must see it.
            var late = FaultProbe.Run("libtorch-first", environment);
            Assert.True(late.ExitCode == 0, late.ToString());
            Assert.Contains("mapped before set-up True", late.StandardOutput);
        }
        finally
        {
            if (Directory.Exists(cache)) Directory.Delete(cache, recursive: true);
        }
    }
}
