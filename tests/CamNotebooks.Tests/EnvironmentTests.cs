using System.Runtime.InteropServices;

namespace CamNotebooks.Tests;

public class EnvironmentTests
{
    [DllImport("libc", EntryPoint = "getenv", CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
    private static extern IntPtr NativeGetEnvironment(string name);

    [Fact]
    public void OpenMP_threads_are_asked_to_sleep_unless_the_user_chose_a_policy()
    {
        var report = CamEnvironment.Initialize();
        if (!OperatingSystem.IsLinux()) return;
        // The native environment (what libgomp reads), not just .NET's copy of it.
        string? native = Marshal.PtrToStringAnsi(NativeGetEnvironment("OMP_WAIT_POLICY"));
        Assert.Equal(report.OpenMpWaitPolicy, native);
        Assert.Contains($"OpenMP wait policy: {native}", report.ToString());
    }
}
