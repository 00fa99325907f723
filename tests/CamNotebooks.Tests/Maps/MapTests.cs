using CamNotebooks.Maps;
using TorchSharp.Modules;
using static CamNotebooks.Exercises.TinyNets;
using static CamNotebooks.Tests.Maps.MapAssertions;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Maps;

public class MapTests
{
    // CAM = W[c,0]·A0 + W[c,1]·A1 with W = [[1, 2], [3, -1]], written out from A0 and A1.
    private static readonly float[,] CamClass0 = { { 13, 11, 9, 7 }, { 5, 3, 1, 1 }, { 2, 3, 4, 5 }, { 6, 7, 8, 9 } };
    private static readonly float[,] CamClass1 =
        { { -6.5f, -5.5f, -4.5f, -3.5f }, { -2.5f, -1.5f, -0.5f, 3 }, { 6, 9, 12, 15 }, { 18, 21, 24, 27 } };

    [Fact]
    public void Cam_of_the_gap_net_matches_the_hand_computed_maps_for_both_classes()
    {
        var model = GapNet();
        using var c0 = ClassActivationMap.Compute(model, "relu", "fc", GapInput(), [0]);
        using var c1 = ClassActivationMap.Compute(model, "relu", "fc", GapInput(), [1]);
        AssertClose(CamClass0, c0.Maps[0]);
        AssertClose(CamClass1, c1.Maps[0]);
        Assert.Equal("CAM", c0.Method);
        Assert.Equal("relu", c0.LayerName);
    }

    [Fact]
    public void Cam_equals_the_books_einsum_of_hooked_activations_and_head_weights()
    {
        var model = GapNet();
        var input = randn(1, 1, 4, 4, generator: new Generator(7));
        using var hook = new CamNotebooks.Hooks.Hook(L(model, "relu"));
        using (no_grad()) model.call(input);
        var direct = einsum("ck,kij->cij", ((Linear)L(model, "fc")).weight!.detach(), hook.Stored[0]);
        using var result = ClassActivationMap.Compute(model, L(model, "relu"), L(model, "fc"), input, [1]);
        AssertClose(ToArray(direct[1]), result.Maps[0]);
    }

    [Fact]
    public void Scores_probabilities_and_predictions_are_the_models_own()
    {
        // Pooled features: mean(A0) = 45/16, mean(A1) = 24.5/16; logits = W·pooled + b = [5.975, 6.70625].
        using var result = GradCam.Compute(GapNet(), "relu", GapInput());
        Assert.Equal([1], result.ClassIndices);            // null classes = the predicted one
        Assert.Equal([1], result.PredictedClasses);
        Assert.Equal(6.70625f, result.Scores[0], 4);
        Assert.Equal(1 / (1 + Math.Exp(5.975 - 6.70625)), result.Probabilities[0], 4);
    }

    [Fact]
    public void Grad_cam_on_the_last_layer_of_a_gap_linear_model_is_relu_of_cam_over_the_number_of_positions()
    {
        // d score_c / d A_k(i,j) = W[c,k] / 16 everywhere, so Grad-CAM's channel weights are W[c,k]/16 and the map is relu(CAM)/16.
        var model = GapNet();
        var input = randn(3, 1, 4, 4, generator: new Generator(11));
        using var cam = ClassActivationMap.Compute(model, "relu", "fc", input, [0]);
        using var gradCam = GradCam.Compute(model, "relu", input, [0]);
        for (int i = 0; i < 3; i++)
            AssertClose(ToArray(cam.Maps[i].relu() / 16), gradCam.Maps[i]);
        using var exact = GradCam.Compute(model, "relu", GapInput(), [1]);
        AssertClose(Combine(1 / 16f, CamClass1, 0, CamClass1, relu: true), exact.Maps[0]);
    }

    [Fact]
    public void Gradient_maps_work_the_same_when_the_caller_is_inside_no_grad()
    {
        var model = GapNet();
        var input = randn(2, 1, 4, 4, generator: new Generator(5));
        using var outside = GradCam.Compute(model, "relu", input, [1]);
        using (no_grad())
        {
            using var inside = GradCam.Compute(model, "relu", input, [1]);
            AssertClose(ToArray(outside.Maps[0]), inside.Maps[0]);
            AssertClose(ToArray(outside.Maps[1]), inside.Maps[1]);
            Assert.False(is_grad_enabled()); // the caller's no_grad is back in force
        }
    }

    [Fact]
    public void Grad_cam_plus_plus_matches_the_hand_computed_map()
    {
        // Class 0: g = (1/16, 2/16), ΣA = (45, 24.5); α_k = 1/(2 + ΣA_k g_k) = (16/77, 16/81);
        // w_k = 16 positions · α_k · g_k = (16/77, 32/81); map = relu(w0·A0 + w1·A1).
        using var result = GradCamPlusPlus.Compute(GapNet(), "relu", GapInput(), [0]);
        AssertClose(Combine(16f / 77, A0, 32f / 81, A1, relu: true), result.Maps[0]);
        Assert.Equal("Grad-CAM++", result.Method);
    }

    [Fact]
    public void Layer_cam_weights_each_position_by_its_own_positive_gradient_unlike_grad_cam()
    {
        // FlatNet: A = [[1, 2], [3, 4]], gradient of class 0 = [[1, -2], [0.5, 3]].
        var model = FlatNet();
        using var layerCam = LayerCam.Compute(model, "features", FlatInput(), [0]);
        AssertClose(new float[,] { { 1, 0 }, { 1.5f, 12 } }, layerCam.Maps[0]);
        using var gradCam = GradCam.Compute(model, "features", FlatInput(), [0]);
        AssertClose(new float[,] { { 0.625f, 1.25f }, { 1.875f, 2.5f } }, gradCam.Maps[0]); // mean gradient 0.625
        using var plusPlus = GradCamPlusPlus.Compute(model, "features", FlatInput(), [1]);
        // Class 1: g = [[0, 1], [0, -1]], ΣA = 10: α = 1/(2 + 10g) where g ≠ 0 → 1/12 at g = 1; w = 1/12; map = A/12.
        AssertClose(new float[,] { { 1 / 12f, 2 / 12f }, { 3 / 12f, 4 / 12f } }, plusPlus.Maps[0]);
    }

    [Fact]
    public void A_batch_gets_one_map_per_image_for_per_image_or_shared_classes()
    {
        var model = GapNet();
        var batch = cat([GapInput(), GapInput().neg()], 0);
        using var perImage = GradCam.Compute(model, "relu", batch, [0, 1]);
        Assert.Equal([2L, 4, 4], perImage.Maps.shape);
        Assert.Equal([0, 1], perImage.ClassIndices);
        AssertClose(Combine(1 / 16f, CamClass0, 0, CamClass0, relu: true), perImage.Maps[0]);
        using var alone = GradCam.Compute(model, "relu", GapInput().neg(), [1]);
        AssertClose(ToArray(alone.Maps[0]), perImage.Maps[1]); // the other image does not leak into this one's map
        using var shared = LayerCam.Compute(model, "relu", batch, [1]);
        Assert.Equal([1, 1], shared.ClassIndices);
    }

    [Fact]
    public void Bad_inputs_give_their_documented_errors()
    {
        var model = GapNet();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GradCam.Compute(model, "relu", GapInput(), [2]));
        Assert.Contains("outputs 2 classes", error.Message);
        var count = Assert.Throws<ArgumentException>(() => GradCam.Compute(model, "relu", cat([GapInput(), GapInput()], 0), [0, 1, 0]));
        Assert.Contains("3 class indices for a batch of 2", count.Message);
        var missing = Assert.Throws<ArgumentException>(() => GradCam.Compute(model, "layer9", GapInput()));
        Assert.Contains("features, relu, pool, flatten, fc", missing.Message);
        var foreign = Assert.Throws<ArgumentException>(() => GradCam.Compute(model, L(GapNet(), "relu"), GapInput()));
        Assert.Contains("not part of this model", foreign.Message);
        var flat = Assert.Throws<ArgumentException>(() => LayerCam.Compute(model, "fc", GapInput()));
        Assert.Contains("4-D feature map", flat.Message);
        var head = Assert.Throws<ArgumentException>(() => ClassActivationMap.Compute(model, "relu", "pool", GapInput()));
        Assert.Contains("final Linear layer", head.Message);
        var notBatch = Assert.Throws<ArgumentException>(() => GradCam.Compute(model, "relu", GapInput()[0]));
        Assert.Contains("unsqueeze(0)", notBatch.Message);
        Assert.Equal(0, RegisteredHookCount(model)); // every failure above cleaned up after itself
    }

    [Fact]
    public void Cam_refuses_a_head_whose_inputs_do_not_match_the_layer_channels()
    {
        var sized = Sequential(("features", Conv2d(1, 3, 1)), ("more", Conv2d(3, 5, 1)), ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", Linear(5, 2)));
        var error = Assert.Throws<ArgumentException>(() => ClassActivationMap.Compute(sized, "features", "fc", GapInput()));
        Assert.Contains("takes 5 features but layer 'features' has 3 channels", error.Message);
        Assert.Equal(0, RegisteredHookCount(sized));
    }

    [Fact]
    public void Mode_requires_grad_and_hooks_are_restored_after_success_and_after_failure()
    {
        var model = GapNet();
        model.train();
        L(model, "features").eval(); // a mixed state must survive too
        GradCam.Compute(model, "relu", GapInput()).Dispose();
        Assert.Throws<ArgumentOutOfRangeException>(() => GradCam.Compute(model, "relu", GapInput(), [5]));
        Assert.True(model.training);
        Assert.False(L(model, "features").training);
        Assert.True(L(model, "fc").training);
        Assert.All(model.parameters(), p => Assert.True(p.requires_grad));
        Assert.All(model.parameters(), p => Assert.Null(p.grad)); // no parameter gradient was computed
        Assert.Equal(0, RegisteredHookCount(model));
    }

    [Fact]
    public void Three_hundred_grad_cams_leave_no_live_tensors_and_no_hooks_behind()
    {
        var model = Sequential(("features", Conv2d(3, 8, 3, padding: 1)), ("relu", ReLU()), ("pool", AdaptiveAvgPool2d(1)),
            ("flatten", Flatten()), ("fc", Linear(8, 4)));
        var input = randn(2, 3, 16, 16, generator: new Generator(3));
        void Once()
        {
            using var scope = NewDisposeScope();
            using var result = GradCam.Compute(model, "relu", input, [1, 2]);
            _ = result.Maps.sum().item<float>();
        }
        for (int i = 0; i < 10; i++) Once(); // warm up caches
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        for (int i = 0; i < 300; i++) Once();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long after = TorchSharp.DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        Assert.True(after - before <= 5, $"live tensors grew from {before} to {after} over 300 runs");
        Assert.Equal(0, RegisteredHookCount(model));
    }
}
