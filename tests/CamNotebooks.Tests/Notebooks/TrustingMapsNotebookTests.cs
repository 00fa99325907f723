using System.Globalization;
using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>The facts 07_trusting_maps.dib's prose claims (which method passes the sanity check, which fails, what each
/// costs, what the scoreboard shows), checked against its executed outputs (the suite's one execution of the chapter).</summary>
[Collection(NotebookCollection.Name)]
public class TrustingMapsNotebookTests
{
    private static ExecutedNotebook Notebook => ExecutedNotebook.Get("07_trusting_maps.dib");

    private static Match Sanity(string method) =>
        Notebook.Find($@"^Sanity {Regex.Escape(method)}: after the head (?<head>[-0-9.]+), fully random (?<random>[-0-9.]+), (?<verdict>pass|FAIL)");

    private static double Number(Match match, string group) => double.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void CAM_and_Grad_CAM_pass_the_randomization_check_and_the_guided_and_positive_gradient_methods_fail_it_as_the_prose_says()
    {
        foreach (var method in new[] { "CAM", "Grad-CAM" })
        {
            Assert.Equal("pass", Sanity(method).Groups["verdict"].Value);
            Assert.True(Number(Sanity(method), "head") < 0.3, $"{method}: the map should already change with the head random");
        }
        foreach (var method in new[] { "Guided backprop", "Guided Grad-CAM", "Grad-CAM++", "LayerCAM" })
            Assert.Equal("FAIL", Sanity(method).Groups["verdict"].Value);
        Assert.True(Number(Sanity("Guided backprop"), "head") > 0.9, "guided backprop should be practically unchanged with the head random");
        Assert.True(Number(Sanity("Grad-CAM++"), "head") > 0.8 && Number(Sanity("LayerCAM"), "head") > 0.8, "a random head should barely move Grad-CAM++ and LayerCAM");
        Assert.True(Number(Sanity("Guided Grad-CAM"), "head") < 0.7, "guided Grad-CAM fails narrowly");
        Assert.True(Number(Sanity("Guided Grad-CAM"), "random") < 0.5, "guided Grad-CAM drops below 0.5 further down");
    }

    [Fact]
    public void The_gradient_free_references_cost_tens_of_forward_passes_and_the_full_Score_CAM_hundreds_of_Grad_CAMs()
    {
        var line = Notebook.Find(@"Cost ratios: Grad-CAM (?<grad>[0-9.]+)x a forward pass, guided backprop (?<guided>[0-9.]+)x, occlusion \((?<positions>\d+) positions\) (?<occ>[0-9.]+)x, Score-CAM \((?<channels>\d+) channels\) (?<score>[0-9.]+)x; Score-CAM / Grad-CAM = (?<ratio>[0-9.]+), occlusion / Grad-CAM = (?<occRatio>[0-9.]+)");
        double Get(string name) => Number(line, name);
        Assert.True(Get("grad") < 3, $"Grad-CAM {Get("grad")}x a forward pass");
        Assert.True(Get("guided") > Get("grad"), $"guided backprop {Get("guided")}x a forward pass, Grad-CAM {Get("grad")}x");
        // "Tens of forward passes, about one per position or channel" (a busy machine may be off by a factor of two either way).
        Assert.True(Get("occ") >= 10 && Get("occ") > Get("positions") / 4, $"occlusion {Get("occ")}x a forward pass ({Get("positions")} positions)");
        Assert.True(Get("score") >= 10 && Get("score") > Get("channels") / 4, $"Score-CAM {Get("score")}x a forward pass ({Get("channels")} channels)");
        Assert.True(Get("positions") == 16 && Get("channels") == 16, "the prose says 16 positions and 16 channels");
        var full = Notebook.Find(@"Score-CAM with all 512 channels, estimated at this rate: [0-9]+ ms per photo, (?<forward>[0-9]+)x a forward pass, (?<grad>[0-9]+)x Grad-CAM");
        Assert.True(Number(full, "grad") > 100, $"full Score-CAM {Number(full, "grad")}x Grad-CAM");
    }

    [Fact]
    public void The_scoreboard_has_every_method_with_the_sanity_verdict_and_guided_backprop_has_the_lowest_deletion_AUC()
    {
        var rows = new Dictionary<string, Match>();
        foreach (var method in new[] { "CAM", "Grad-CAM", "Grad-CAM++", "LayerCAM", "Score-CAM", "Occlusion", "Guided backprop", "Guided Grad-CAM" })
            rows[method] = Notebook.Find($@"^{Regex.Escape(method)}  +(body\.layer4|input) +(?<ms>[0-9.]+) +(?<photos>\d+) +(?<pointing>[0-9.]+) +(?<deletion>[0-9.]+) +(?<verdict>pass|FAIL|not run)$");
        Assert.Equal("not run", rows["Score-CAM"].Groups["verdict"].Value);
        Assert.Equal("not run", rows["Occlusion"].Groups["verdict"].Value);
        Assert.Equal("FAIL", rows["Guided backprop"].Groups["verdict"].Value);
        Assert.Equal("pass", rows["Grad-CAM"].Groups["verdict"].Value);
        Assert.Equal("pass", rows["CAM"].Groups["verdict"].Value);
        var onAll = rows.Where(r => r.Value.Groups["photos"].Value == rows["Grad-CAM"].Groups["photos"].Value).ToList();
        Assert.True(onAll.All(r => Number(r.Value, "pointing") == 1), "the prose says every map peaks inside the head box on these photos");
        Assert.Equal("Guided backprop", onAll.MinBy(r => Number(r.Value, "deletion")).Key);
    }
}
