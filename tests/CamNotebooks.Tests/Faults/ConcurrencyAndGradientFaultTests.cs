namespace CamNotebooks.Tests.Faults;

/// <summary>Issue 14, items 1 and 2: Grad-CAM calls that used to abort the process, run in a child process.</summary>
public class ConcurrencyAndGradientFaultTests
{
    [Fact]
    public void A_layer_that_runs_but_does_not_feed_the_score_gives_a_managed_error_naming_cause_and_remedy()
    {
        var outcome = FaultProbe.Run("unused-layer");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("exception System.InvalidOperationException", outcome.StandardOutput);
        Assert.Contains("'aux'", outcome.StandardOutput);
        Assert.Contains("does not feed the class scores", outcome.StandardOutput);
        Assert.Contains("choose a layer on the path", outcome.StandardOutput);
    }

    [Fact]
    public void One_model_used_from_two_threads_gives_every_call_its_own_map()
    {
        var outcome = FaultProbe.Run("two-threads");
        Assert.True(outcome.ExitCode == 0, outcome.ToString());
        Assert.Contains("calls 40 succeeded, 0 failed", outcome.StandardOutput);
    }
}
