using CamNotebooks.Hooks;
using CamNotebooks.Maps;
using CamNotebooks.Tests.Evaluation;
using static CamNotebooks.Exercises.TinyNets;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Maps;

/// <summary>Chapter 07's methods: Score-CAM, occlusion, guided backpropagation and guided Grad-CAM.</summary>
public class TrustMethodsTests
{
    [Fact]
    public void Guided_relu_passes_back_only_positive_gradients_to_positive_inputs()
    {
        var net = Sequential(("relu", ReLU()), ("fc", Linear(4, 1, hasBias: false)));
        using (no_grad()) ((TorchSharp.Modules.Linear)net.named_children().Single(c => c.name == "fc").module).weight!.copy_(tensor(new float[] { 1, -1, 1, -1 }).reshape(1, 4));
        Tensor Gradient(bool guided)
        {
            var x = tensor(new float[] { 2, 1, -3, 0.5f }).reshape(1, 4).requires_grad_(true);
            using (guided ? new GuidedRelu(net) : null) net.call(x).sum().backward();
            return x.grad!;
        }
        Assert.Equal([1f, -1, 0, -1], Gradient(guided: false).data<float>().ToArray()); // plain ReLU: the weight where x > 0
        Assert.Equal([1f, 0, 0, 0], Gradient(guided: true).data<float>().ToArray());    // guided: negative gradients stopped too
        Assert.Equal([1f, -1, 0, -1], Gradient(guided: false).data<float>().ToArray()); // disposed: ordinary again
    }

    [Fact]
    public void Guided_relu_refuses_a_model_without_relu_modules()
    {
        var error = Assert.Throws<ArgumentException>(() => new GuidedRelu(Sequential(("fc", Linear(2, 2)))));
        Assert.Contains("no ReLU module", error.Message);
    }

    [Fact]
    public void Score_cam_weights_each_channel_by_the_softmax_of_the_masked_images_scores()
    {
        var model = ThreeClassGapNet();
        var input = randn(2, 1, 4, 4, generator: new Generator(11));
        using var result = ScoreCam.Method.Compute(model, "relu", input, [2, 0]);
        Assert.Equal("Score-CAM", result.Method);
        Assert.Equal([2L, 4, 4], result.Maps.shape); // one map per image at the layer's size
        // By hand: the ReLU's activations, each channel min-max scaled (same size as the image: no upsampling), as a mask.
        var conv = (Module<Tensor, Tensor>)model.named_children().Single(c => c.name == "features").module;
        int[] classes = [2, 0];
        using var noGrad = no_grad();
        for (int n = 0; n < 2; n++)
        {
            var activations = conv.call(input[n..(n + 1)]).relu()[0];
            var scores = new float[3];
            for (int k = 0; k < 3; k++)
            {
                var a = activations[k];
                float low = a.min().item<float>(), high = a.max().item<float>();
                var mask = high > low ? (a - low) / (high - low) : zeros_like(a);
                scores[k] = model.call((input[n] * mask).unsqueeze(0))[0, classes[n]].item<float>();
            }
            var weights = tensor(scores).softmax(0);
            var expected = (weights.view(3, 1, 1) * activations).sum([0]).relu();
            Assert.Equal(ScalarType.Float32, result.Maps.dtype);
            var want = expected.to(ScalarType.Float32).contiguous().data<float>().ToArray();
            var got = result.Maps[n].contiguous().data<float>().ToArray();
            Assert.Equal(want.Length, got.Length);
            for (int i = 0; i < want.Length; i++) Assert.True(Math.Abs(want[i] - got[i]) <= 1e-5 + 1e-4 * Math.Abs(want[i]), $"image {n}, pixel {i}: {want[i]} vs {got[i]}");
        }
        Assert.True(ScoreCam.Method.ScoresInputs && !ScoreCam.Method.NeedsGradients);
    }

    [Fact]
    public void A_formula_reading_the_model_without_declaring_it_gets_a_clear_error()
    {
        var method = new CamMethod("peeker", needsGradients: false, lastStageOnly: false, inputs => inputs.Images.sum([1]));
        var error = Assert.Throws<InvalidOperationException>(() => method.Compute(GapNet(), "relu", GapInput()));
        Assert.Contains("scoresInputs: true", error.Message);
    }

    /// <summary>Class 0's score is the sum of the image's top-left 4x4 quadrant; class 1's is 0.</summary>
    private sealed class TopLeftNet() : Module<Tensor, Tensor>("TopLeftNet")
    {
        public override Tensor forward(Tensor x)
        {
            var s = x[.., .., 0..4, 0..4].sum([1, 2, 3]);
            return stack([s, zeros_like(s)], 1);
        }
    }

    [Fact]
    public void Occlusion_finds_the_only_region_the_score_reads()
    {
        using var result = Occlusion.Compute(new TopLeftNet(), ones(1, 1, 8, 8), [0], patch: 4, stride: 4);
        Assert.Equal([1L, 2, 2], result.Maps.shape);
        var map = result.MapValues(0);
        float p = 1 / (1 + MathF.Exp(-16));           // p(class 0) with the quadrant's sum 16
        Assert.Equal(p - 0.5f, map[0, 0], 4);         // blanking the quadrant: the scores tie, p = 0.5
        Assert.Equal(0f, map[0, 1]);
        Assert.Equal(0f, map[1, 0]);
        Assert.Equal(0f, map[1, 1]);
        Assert.Throws<ArgumentException>(() => Occlusion.Compute(new TopLeftNet(), ones(1, 1, 8, 8), [0], patch: 9));
    }

    [Fact]
    public void Guided_grad_cam_is_zero_where_grad_cam_is_zero_and_has_the_input_size()
    {
        var model = GapNet();
        var input = randn(1, 1, 4, 4, generator: new Generator(2));
        var guided = GuidedBackprop.Gradients(model, input, [0]);
        Assert.Equal(input.shape, guided.shape);
        var map = GuidedBackprop.GuidedGradCam(model, "relu", input, [0]);
        Assert.Equal([1L, 4, 4], map.shape);
        using var gradCam = GradCam.Compute(model, "relu", input, [0]);
        // Same grid as the input here (1x1 conv), so the upsampling is the identity: zero exactly where Grad-CAM is.
        Assert.True((map.eq(0) | gradCam.Maps.ne(0)).all().item<bool>());
        Assert.True(map.ge(0).all().item<bool>());
    }
}

/// <summary>Guided backpropagation on the real ResNet body: the hooks must leave the forward pass alone.</summary>
public class GuidedBackpropOnTheModelTests(UntrainedClassifierFixture fixture) : IClassFixture<UntrainedClassifierFixture>
{
    [Fact]
    public void Guiding_every_relu_of_the_real_model_keeps_its_scores_and_sharpens_its_gradient()
    {
        var input = fixture.Set.Inputs[0..1];
        using var noGrad = no_grad();
        var plainScores = fixture.Model.call(input);
        Tensor guidedScores;
        using (var guide = new GuidedRelu(fixture.Model))
        {
            Assert.True(guide.Count >= 9, $"{guide.Count} ReLU modules guided"); // the stem and one per basic block at least
            guidedScores = fixture.Model.call(input);
        }
        Assert.True(plainScores.allclose(guidedScores), "the guided forward pass must give the same scores");
        var guided = GuidedBackprop.Gradients(fixture.Model, input, [1]);
        Assert.True(guided.abs().sum().item<float>() > 0, "an all-zero guided gradient");
        Assert.True(fixture.Model.parameters().All(p => p.grad is null || p.grad.abs().sum().item<float>() == 0), "weights got gradients");
    }
}
