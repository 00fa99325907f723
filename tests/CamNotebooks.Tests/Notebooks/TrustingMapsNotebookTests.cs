namespace CamNotebooks.Tests.Notebooks;

/// <summary>The facts 07_trusting_maps.dib's prose claims (which method passes the sanity check, which fails, what each
/// costs), checked against its executed outputs (the suite's one execution of the chapter).</summary>
[Collection(NotebookCollection.Name)]
public class TrustingMapsNotebookTests
{
    private static ExecutedNotebook Notebook => ExecutedNotebook.Get("07_trusting_maps.dib");

    private static string Verdict(string method) => Notebook.Find($@"^Sanity {System.Text.RegularExpressions.Regex.Escape(method)}: after the head [-0-9.]+, fully random [-0-9.]+, (?<verdict>pass|FAIL)").Groups["verdict"].Value;

    [Fact]
    public void Grad_CAM_and_CAM_pass_the_randomization_check_and_guided_backprop_fails_it_as_the_prose_says()
    {
        Assert.Equal("pass", Verdict("Grad-CAM"));
        Assert.Equal("pass", Verdict("CAM"));
        Assert.Equal("FAIL", Verdict("Guided backprop"));
    }

    [Fact]
    public void The_gradient_free_references_cost_many_forward_passes_and_Score_CAM_far_more_than_Grad_CAM()
    {
        var line = Notebook.Find(@"Cost ratios: Grad-CAM (?<grad>[0-9.]+)x a forward pass, guided backprop (?<guided>[0-9.]+)x, occlusion (?<occ>[0-9.]+)x, Score-CAM (?<score>[0-9.]+)x; Score-CAM / Grad-CAM = (?<ratio>[0-9.]+), occlusion / Grad-CAM = (?<occRatio>[0-9.]+)");
        double Get(string name) => double.Parse(line.Groups[name].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(Get("grad") < 10, $"Grad-CAM {Get("grad")}x a forward pass");
        Assert.True(Get("occ") > 10, $"occlusion {Get("occ")}x a forward pass (49 positions)");
        Assert.True(Get("score") > 100, $"Score-CAM {Get("score")}x a forward pass (512 channels)");
        Assert.True(Get("ratio") > 50 && Get("ratio") > Get("occRatio"), $"Score-CAM / Grad-CAM {Get("ratio")}, occlusion / Grad-CAM {Get("occRatio")}");
    }

    [Fact]
    public void The_scoreboard_has_every_method_with_the_sanity_verdict_read_from_the_check()
    {
        foreach (var method in new[] { "CAM", "Grad-CAM", "Grad-CAM\\+\\+", "LayerCAM", "Score-CAM", "Occlusion", "Guided backprop", "Guided Grad-CAM" })
            Notebook.Find($@"^{method}  +(body\.layer4|input)  ");
        Notebook.Find(@"^Score-CAM  .*  not run$");
        Notebook.Find(@"^Guided backprop  .*  FAIL$");
        Notebook.Find(@"^Grad-CAM  .*  pass$");
    }
}
