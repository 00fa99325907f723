namespace CamNotebooks.Tests;

/// <summary>
/// A test that drives the system's Chromium (the Debian package that test.sh installs). On Windows and macOS there is no
/// such install step, so the test is skipped with a message saying so; on Linux a missing Chromium fails the test.
/// </summary>
public sealed class LinuxBrowserFactAttribute : FactAttribute
{
    /// <summary>Skips the test outside Linux.</summary>
    public LinuxBrowserFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
            Skip = "Browser tests drive Debian's Chromium at /usr/bin/chromium, which test.sh installs on Linux only; " +
                   "they are skipped on Windows and macOS (run them on Linux or in CI).";
    }
}
