namespace CamNotebooks.Tests.Notebooks;

/// <summary>The facts 05_measuring_maps.dib's prose claims, checked against its executed outputs.</summary>
[Collection(NotebookCollection.Name)]
public class MeasuringMapsNotebookTests
{
    private static ExecutedNotebook Notebook => ExecutedNotebook.Get("05_measuring_maps.dib");

    [Fact]
    public void It_runs_on_the_stated_cap_of_photos()
    {
        Assert.Equal(8, Notebook.Number(@"photos measured: (?<value>\d+) of 74"));
        Notebook.Find(@"^Localization on 8 photos");
    }

    [Fact]
    public void The_pointing_score_and_the_deletion_point_computed_by_hand_equal_the_librarys()
    {
        var hand = Notebook.Find(@"in the head box: (?<hit>True|False), so the pointing score is (?<score>[01])\s*\nLocalizationMetrics\.PointingHit gives (?<library>[0-9.]+)");
        Assert.Equal(hand.Groups["hit"].Value == "True" ? "1" : "0", hand.Groups["score"].Value);
        Assert.Equal(double.Parse(hand.Groups["score"].Value), double.Parse(hand.Groups["library"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Notebook.Find(@"Pixels blanked: 10035 of 50176"); // 20 % of 224 x 224
        var byHand = Notebook.Find(@"p\(true class\): the photo (?<photo>[0-9.]+), with its top 20 % blanked (?<deleted>[0-9.]+)");
        var curve = Notebook.Find(@"DeletionInsertion\.Curve at 0 % and 20 %: (?<photo>[0-9.]+), (?<deleted>[0-9.]+)");
        Assert.Equal(byHand.Groups["photo"].Value, curve.Groups["photo"].Value);
        Assert.Equal(byHand.Groups["deleted"].Value, curve.Groups["deleted"].Value);
    }

    [Fact]
    public void Another_seed_and_photo_count_in_the_try_it_cell_reach_every_measurement()
    {
        var variant = TryItCell.Variant("05_measuring_maps.dib"); // seed 1, 2 photos
        Assert.True(variant.Outcome.ExitCode == 0, variant.Outcome.ToString());
        variant.Find(@"photos measured: 2 of 74; seed 1");
        variant.Find(@"^Localization on 2 photos");
        variant.Find(@"^Faithfulness on 2 photos");
        variant.Find(@"^Sanity check .* on 2 photos");
        // The randomised weights come from the seed: the sanity correlations change with it.
        Assert.NotEqual(Notebook.Find(@"^Sanity CAM on body\.layer4: .*$").Value, variant.Find(@"^Sanity CAM on body\.layer4: .*$").Value);
        var curve = variant.Find(@"DeletionInsertion\.Curve at 0 % and 20 %: (?<photo>[0-9.]+), (?<deleted>[0-9.]+)");
        Assert.Equal(variant.Find(@"with its top 20 % blanked (?<deleted>[0-9.]+)").Groups["deleted"].Value, curve.Groups["deleted"].Value);
    }

    [Fact]
    public void Last_stage_maps_beat_the_random_and_centre_baselines_on_the_head_box()
    {
        Notebook.Find(@"Every layer4 method beats the random map on the head box: True");
        var cam = Notebook.Number(@"CAM on layer4, head pointing: (?<value>[\d.]+)");
        var random = Notebook.Number(@"random map: (?<value>[\d.]+); centre");
        var centre = Notebook.Number(@"centre Gaussian: (?<value>[\d.]+)");
        Assert.True(cam > centre && centre > random, $"CAM {cam}, centre {centre}, random {random}");
    }

    [Fact]
    public void Grad_CAM_washes_out_one_stage_earlier_and_LayerCAM_does_not()
    {
        var gradCam3 = Notebook.Number(@"Grad-CAM head pointing, layer4 vs layer3: [\d.]+ vs (?<value>[\d.]+)");
        var layerCam3 = Notebook.Number(@"LayerCAM head pointing, layer4 vs layer3: [\d.]+ vs (?<value>[\d.]+)");
        var random = Notebook.Number(@"random map: (?<value>[\d.]+); centre");
        Assert.True(layerCam3 > gradCam3 + 0.3, $"LayerCAM {layerCam3} vs Grad-CAM {gradCam3} at layer3");
        Assert.True(gradCam3 < random + 0.2, $"Grad-CAM at layer3 {gradCam3} should be near the random map {random}");
    }

    [Fact]
    public void Every_method_beats_the_random_map_on_deletion_and_insertion()
    {
        Notebook.Find(@"Every method deletes faster than the random map: True");
        Notebook.Find(@"Every method inserts faster than the random map: True");
    }

    [Fact]
    public void CAM_and_Grad_CAM_pass_the_sanity_check_Grad_CAM_plus_plus_and_LayerCAM_fail()
    {
        foreach (var method in new[] { "CAM", "Grad-CAM" })
        {
            Notebook.Find($@"^Sanity {method} on body\.layer4: .*, pass$");
            Assert.True(Notebook.Number($@"^Sanity {method} on body\.layer4: after the head (?<value>-?[\d.]+)") < 0.4);
        }
        foreach (var method in new[] { @"Grad-CAM\+\+", "LayerCAM" })
        {
            Notebook.Find($@"^Sanity {method} on body\.layer4: .*, FAIL$");
            Assert.True(Notebook.Number($@"^Sanity {method} on body\.layer4: after the head (?<value>-?[\d.]+)") > 0.9);
        }
    }

    [Fact]
    public void The_curves_and_bars_are_drawn_as_charts()
    {
        var html = Notebook.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html").Select(o => o.Data).ToList();
        Assert.True(html.Count(h => h.Contains("Plotly.newPlot('camnb-plot-")) >= 4, "pointing bars, deletion, insertion, sanity");
        Assert.Contains(html, h => h.Contains("Deletion: blanking"));
        Assert.Contains(html, h => h.Contains("Cascading randomisation"));
    }
}
