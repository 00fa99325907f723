using CamNotebooks.Hooks;
using CamNotebooks.Learning;
using CamNotebooks.Maps;
using CamNotebooks.Model;
using static CamNotebooks.Exercises.TinyNets;
using static CamNotebooks.Tests.Maps.MapAssertions;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Faults;

/// <summary>Issue 14, items 9 and 10: faults that end in a managed exception, but a misleading one or a late one.</summary>
public class LibraryFaultTests
{
    [Fact]
    public void Disposing_one_classifier_leaves_the_shared_pretrained_body_and_the_other_classifier_working()
    {
        using var pretrained = PretrainedResNet.Load();
        var first = new PetClassifier(pretrained, new LinearHead(seed: 1));
        using var second = new PetClassifier(pretrained, new LinearHead(seed: 2));
        var firstHead = first.Head;
        first.Dispose();

        using var scope = NewDisposeScope();
        var batch = zeros(1, 3, 64, 64);
        var probabilities = second.Probabilities(batch); // threw "Tensor invalid -- empty handle" when the body went with the first
        Assert.Equal([1L, 2L], probabilities.shape);
        Assert.Equal(512, pretrained.Body.Features(batch).shape[1]);
        // What the first classifier owned is gone: its head.
        Assert.ThrowsAny<Exception>(() => firstHead.call(zeros(1, 512)));
    }

    [Fact]
    public void Grad_cam_inside_inference_mode_says_inference_mode_is_the_cause()
    {
        var model = GapNet();
        var input = GapInput();
        using var inference = inference_mode();
        var error = Assert.Throws<InvalidOperationException>(() => GradCam.Compute(model, "relu", input));
        Assert.Contains("inference_mode()", error.Message);
        Assert.DoesNotContain("do not depend on layer", error.Message);
    }

    [Fact]
    public void A_map_of_an_empty_batch_says_the_batch_is_empty()
    {
        var model = GapNet();
        var empty = zeros(0, 1, 4, 4);
        var cam = Assert.Throws<ArgumentException>(() => ClassActivationMap.Compute(model, "relu", "fc", empty));
        var grad = Assert.Throws<ArgumentException>(() => GradCam.Compute(model, "relu", empty));
        Assert.All([cam, grad], e => Assert.Contains("The batch is empty", e.Message));
    }

    [Fact]
    public void One_nan_pixel_is_reported_instead_of_giving_a_blank_map()
    {
        var model = GapNet();
        var input = GapInput();
        input[0, 0, 2, 3] = tensor(float.NaN);
        var cam = Assert.Throws<ArgumentException>(() => ClassActivationMap.Compute(model, "relu", "fc", input));
        var grad = Assert.Throws<ArgumentException>(() => LayerCam.Compute(model, "relu", input));
        Assert.All([cam, grad], e => Assert.Contains("1 value(s) that are NaN or infinite (image(s) 0)", e.Message));
    }

    [Fact]
    public void A_map_with_a_nan_is_not_turned_into_a_blank_overlay_without_a_word()
    {
        var map = ones(7, 7);
        map[3, 3] = tensor(float.NaN);
        var error = Assert.Throws<ArgumentException>(() => CamNotebooks.Heatmaps.HeatmapMath.Normalize(map));
        Assert.Contains("1 NaN or infinite value(s)", error.Message);
    }

    [Fact]
    public void A_hook_group_of_null_layers_is_an_argument_null_exception()
    {
        var error = Assert.Throws<ArgumentNullException>(() => new HookGroup(null!));
        Assert.Equal("layers", error.ParamName);
    }

    [Fact]
    public void Describe_outside_the_batch_names_the_valid_range()
    {
        var model = GapNet();
        using var result = ClassActivationMap.Compute(model, "relu", "fc", GapInput());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => result.Describe(5));
        Assert.Contains("0..0", error.Message);
        Assert.Equal("index", error.ParamName);
        Assert.Contains("CAM on relu for class", result.Describe(0));
    }
}
