using System.Globalization;
using System.Text.RegularExpressions;

namespace CamNotebooks.Tests.Notebooks;

/// <summary>The facts 03_grad_cam.dib's prose claims, checked against its executed outputs.</summary>
[Collection(NotebookCollection.Name)]
public class GradCamNotebookTests
{
    private static ExecutedNotebook GradCamNotebook => ExecutedNotebook.Get("03_grad_cam.dib");

    private const string Number = @"(?<value>[0-9.]+(?:E[-+]?[0-9]+)?)";

    [Fact]
    public void The_retrained_classifier_calls_the_hero_a_cat()
    {
        Assert.True(GradCamNotebook.Number($@"Prediction: cat, p\(cat\) = {Number}") > 0.95);
        GradCamNotebook.Find(@"Class order: 0 = dog, 1 = cat");
    }

    [Fact]
    public void Plain_cam_on_layer3_fails_because_the_channel_counts_differ()
    {
        GradCamNotebook.Find(@"layer3 activations: \[1, 256, 14, 14\], head weight: \[2, 512\]");
        GradCamNotebook.Find(@"CAM on layer3 fails: .*einsum.*256.*512");
    }

    [Fact]
    public void TorchSharp_has_forward_hooks_only()
    {
        GradCamNotebook.Find(@"Hook methods on modules and tensors: .*register_forward_hook");
        GradCamNotebook.Find(@"Any backward hook\? False");
    }

    [Fact]
    public void The_identity_function_records_the_gradient_computed_by_hand()
    {
        // loss = sum(3 y^2) with y = x = [1, 2, 3]: dloss/dy = 6y.
        GradCamNotebook.Find(@"Recorded gradient: \[6, 12, 18\], x\.grad: \[6, 12, 18\]");
    }

    [Fact]
    public void Each_box_gets_its_own_gradient_and_the_network_hook_sees_layer4s_shape()
    {
        GradCamNotebook.Find(@"box A: \[5, 5\], box B: \[7, 7\], a\.grad: \[12, 12\]");
        GradCamNotebook.Find(@"Gradient at layer4's output: \[1, 512, 7, 7\], largest [0-9.E-]+");
    }

    [Fact]
    public void Another_class_and_layer_in_the_try_it_cell_reach_every_cell_below_it()
    {
        var variant = TryItCell.Variant("03_grad_cam.dib"); // the dog class, layer2
        Assert.True(variant.Outcome.ExitCode == 0, variant.Outcome.ToString());
        variant.Find(@"explaining class 0 \(dog\)");
        variant.Find(@"Grad-CAM on body\.layer2: \[28, 28\]");
        Assert.True(variant.Number($@"Library vs hand-made Grad-CAM on body\.layer2: max abs difference = {Number}") < 1e-5);
        Assert.True(variant.Number($@"Gradient vs w\[class\] / 49 at every position: max abs difference = {Number}") < 1e-6);
        variant.Find(@"^(CAM / Grad-CAM where CAM > 0: min 49\.0\d\d, max 49\.0\d\d|CAM is nowhere positive for this class)");
        Assert.Contains(variant.Cells.SelectMany(c => c.Outputs), o => o.Mime == "text/html" && o.Data.Contains("Grad-CAM on layer4 for dog (Bengal_109.jpg)"));
    }

    [Fact]
    public void Backward_on_the_rank_2_output_prints_TorchSharps_real_error()
    {
        GradCamNotebook.Find(@"backward\(\) on the \[1, 2\] output fails: grad can be implicitly created only for scalar outputs");
        GradCamNotebook.Find(@"Activations: \[1, 512, 7, 7\], gradients: \[1, 512, 7, 7\]");
    }

    [Fact]
    public void The_hand_made_backward_hook_matches_the_library_BackwardHook()
    {
        Assert.True(GradCamNotebook.Number($@"Hand-made hook vs library BackwardHook: max abs difference = {Number}") < 1e-6);
    }

    [Fact]
    public void Grad_cam_on_the_last_stage_is_relu_cam_over_49()
    {
        GradCamNotebook.Find(@"Channel weights: \[1, 512, 1, 1\], Grad-CAM map: \[1, 7, 7\]");
        Assert.True(GradCamNotebook.Number($@"Gradient vs w\[class\] / 49 at every position: max abs difference = {Number}") < 1e-6);
        Assert.True(GradCamNotebook.Number($@"Grad-CAM vs relu\(CAM\) / 49: max relative difference = {Number}") < 1e-4);
        var ratio = GradCamNotebook.Find(@"CAM / Grad-CAM where CAM > 0: min (?<min>[0-9.]+), max (?<max>[0-9.]+) \((?<n>\d+) of 49 positions\)");
        Assert.Equal(49.0, double.Parse(ratio.Groups["min"].Value, CultureInfo.InvariantCulture), 2);
        Assert.Equal(49.0, double.Parse(ratio.Groups["max"].Value, CultureInfo.InvariantCulture), 2);
        Assert.InRange(int.Parse(ratio.Groups["n"].Value, CultureInfo.InvariantCulture), 1, 49);
    }

    [Fact]
    public void Inner_maps_have_the_inner_layers_resolutions()
    {
        GradCamNotebook.Find(@"Grad-CAM on body\.layer3: \[14, 14\]");
        GradCamNotebook.Find(@"body\.layer4\s+map 7x7");
        GradCamNotebook.Find(@"body\.layer4\.1\s+map 7x7");
        GradCamNotebook.Find(@"body\.layer3\s+map 14x14");
        GradCamNotebook.Find(@"body\.layer2\s+map 28x28");
        Assert.True(GradCamNotebook.Number($@"Library vs hand-made Grad-CAM on body\.layer3: max abs difference = {Number}") < 1e-5);
    }

    [Fact]
    public void The_last_stage_finds_the_animal_more_often_than_layer3_as_the_prose_says()
    {
        int OnAnimal(string layer) => int.Parse(GradCamNotebook.Find(
            $@"^Grad-CAM {Regex.Escape(layer)}: peak on the animal in (?<value>\d+) of 6 photos").Groups["value"].Value, CultureInfo.InvariantCulture);
        Assert.Equal(6, OnAnimal("body.layer4"));
        Assert.True(OnAnimal("body.layer3") < OnAnimal("body.layer4"));
        // "the mass on the animal stays above the animal's share" on the last stage
        var layer4 = GradCamNotebook.Find(@"^Grad-CAM body\.layer4: .*mass on the animal (?<mass>\d+) %, the animal covers (?<area>\d+) %");
        Assert.True(int.Parse(layer4.Groups["mass"].Value, CultureInfo.InvariantCulture) > int.Parse(layer4.Groups["area"].Value, CultureInfo.InvariantCulture));
        // "at layer3 the mass on the animal falls below the animal's share of the picture"
        var layer3 = GradCamNotebook.Find(@"^Grad-CAM body\.layer3: .*mass on the animal (?<mass>\d+) %, the animal covers (?<area>\d+) %");
        Assert.True(int.Parse(layer3.Groups["mass"].Value, CultureInfo.InvariantCulture) < int.Parse(layer3.Groups["area"].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void LayerCam_keeps_every_peak_on_the_animal_down_to_layer2_as_the_prose_says()
    {
        foreach (var layer in new[] { "body.layer4", "body.layer3", "body.layer2" })
        {
            GradCamNotebook.Find($@"^LayerCAM\s+{Regex.Escape(layer)}\s*: peak on the animal 6/6");
            GradCamNotebook.Find($@"^Grad-CAM\+\+\s+{Regex.Escape(layer)}\s*: peak on the animal \d/6");
        }
    }

    [Fact]
    public void The_overlays_and_grids_are_real_pngs()
    {
        var pngs = GradCamNotebook.Cells.SelectMany(c => c.Outputs).Where(o => o.Mime == "text/html")
            .SelectMany(o => Regex.Matches(o.Data, "data:image/png;base64,(?<b>[A-Za-z0-9+/=]+)").Select(m => Convert.FromBase64String(m.Groups["b"].Value)))
            .ToList();
        // The layer4 overlay, the layer grid, the six-photo grid and one method grid per photo (three).
        Assert.True(pngs.Count >= 6, $"expected at least 6 pictures, found {pngs.Count}");
        Assert.All(pngs, bytes => Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]));
    }
}
