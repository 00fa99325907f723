using System.Diagnostics;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>The helper that runs the notebooks' processes never waits without a bound.</summary>
public class ProcessRunnerTests
{
    [Fact]
    public void A_process_whose_child_keeps_its_output_open_returns_when_it_exits_with_what_it_wrote()
    {
        // The shell exits at once; the sleep it leaves behind inherits its output and holds it open for two minutes.
        var clock = Stopwatch.StartNew();
        var outcome = ProcessRunner.Run("sh", ["-c", "sleep 120 & echo $!; echo written"], Path.GetTempPath(),
            TimeSpan.FromMinutes(3), TimeSpan.FromSeconds(2));
        clock.Stop();
        var lines = outcome.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
            Assert.Equal(0, outcome.ExitCode);
            Assert.Equal("written", lines[^1]);
            Assert.Contains("its output was still open", outcome.StandardError);
        }
        finally
        {
            if (int.TryParse(lines.FirstOrDefault(), out int sleeper))
                try { Process.GetProcessById(sleeper).Kill(); } catch (ArgumentException) { } // already gone
        }
    }

    [Fact]
    public void A_process_that_outlives_its_time_is_killed_and_the_error_shows_the_end_of_its_output()
    {
        var clock = Stopwatch.StartNew();
        var error = Assert.Throws<TimeoutException>(() => ProcessRunner.Run("sh", ["-c", "echo started; sleep 120"], Path.GetTempPath(),
            TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(2)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"took {clock.Elapsed}");
        Assert.Contains("started", error.Message);
    }
}
