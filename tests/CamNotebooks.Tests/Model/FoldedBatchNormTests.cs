using Xunit.Abstractions;
using CamNotebooks.Model;
using CamNotebooks.Model.Inference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Model;

/// <summary>
/// <see cref="ResNetBody.FoldBatchNorm"/>: the inference copy computes what ONNX Runtime and the unfolded port compute, keeps
/// the stage names hooks use, passes gradients, and refuses what it cannot do.
/// </summary>
[Collection(PretrainedModelCollection.Name)]
public sealed class FoldedBatchNormTests(PretrainedModelFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void Folded_body_equals_onnx_runtime_and_the_unfolded_port_on_photos()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var folded = fixture.Model.Body.FoldBatchNorm();
        var batch = fixture.Model.Preprocessing.Normalize(TestPhotos.LoadSquareBatch());
        var foldedLayer4 = folded.call(batch);
        var unfoldedLayer4 = fixture.Model.Body.call(batch);
        var layer4Diff = (foldedLayer4 - unfoldedLayer4).abs().max().item<float>();
        output.WriteLine($"folded vs unfolded layer4 max |diff| {layer4Diff:E2} (max value {unfoldedLayer4.max().item<float>():F2})");
        Assert.True(layer4Diff <= 2e-4f, $"layer4 differs by {layer4Diff}");

        var (_, _, expectedPooled) = fixture.Reference.Body(OnnxReference.ToArray(batch[0].unsqueeze(0)), [1, 3, 224, 224]);
        var actualPooled = OnnxReference.ToArray(ResNetBody.Pool(foldedLayer4)[0]);
        var pooledDiff = PortMatchesOnnxTests.MaxAbsDiff(expectedPooled, actualPooled);
        output.WriteLine($"folded vs ONNX Runtime pooled max |diff| {pooledDiff:E2}");
        Assert.True(pooledDiff <= 1e-4f, $"pooled features differ from ONNX Runtime by {pooledDiff}");
        Assert.True(expectedPooled.Max() > 1f);
    }

    [Fact]
    public void Folded_body_matches_at_odd_input_sizes_too()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var folded = fixture.Model.Body.FoldBatchNorm();
        var photo = nn.functional.interpolate(TestPhotos.Load(TestPhotos.Square[1]).unsqueeze(0), size: [227, 290],
            mode: InterpolationMode.Bilinear, align_corners: false);
        var input = fixture.Model.Preprocessing.Normalize(photo);
        var expected = fixture.Model.Body.call(input);
        var actual = folded.call(input);
        Assert.Equal(expected.shape, actual.shape);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 2e-4), $"max |diff| {(actual - expected).abs().max().item<float>()}");
    }

    [Fact]
    public void Folded_body_has_no_batch_norms_biased_convolutions_and_the_same_stage_names()
    {
        using var folded = fixture.Model.Body.FoldBatchNorm();
        Assert.IsType<FoldedStem>(folded.Stem);
        Assert.All(folded.Layer4.children(), block => Assert.IsType<FoldedBasicBlock>(block));
        var modules = folded.modules().ToList();
        Assert.Empty(modules.OfType<BatchNorm2d>());
        var convs = modules.OfType<Conv2d>().ToList();
        Assert.Equal(OnnxResNetReader.ExpectedConvCount, convs.Count);
        Assert.All(convs, c => Assert.NotNull(c.bias));
        var names = folded.named_modules().Select(m => m.name).ToHashSet();
        foreach (var name in new[] { "stem", "stem.conv1", "layer1.0", "layer2.0.downsample.0", "layer4", "layer4.2", "layer4.2.conv2" })
            Assert.Contains(name, names);
        Assert.DoesNotContain("layer2.0.downsample.1", names);
        Assert.All(folded.parameters(), p => Assert.False(p.requires_grad));
        Assert.All(modules, m => Assert.False(m.training));
        // The source keeps its batch norms.
        Assert.Equal(OnnxResNetReader.ExpectedBatchNormCount, fixture.Model.Body.modules().OfType<BatchNorm2d>().Count());
    }

    [Fact]
    public void Folded_weights_are_the_batch_norm_formula_applied_to_the_convolution()
    {
        using var scope = NewDisposeScope();
        using var folded = fixture.Model.Body.FoldBatchNorm();
        var modules = fixture.Model.Body.named_modules().ToDictionary(m => m.name, m => m.module);
        var foldedModules = folded.named_modules().ToDictionary(m => m.name, m => m.module);
        var conv = (Conv2d)modules["layer3.1.conv2"];
        var bn = (BatchNorm2d)modules["layer3.1.bn2"];
        var target = (Conv2d)foldedModules["layer3.1.conv2"];
        // Written out here independently of TorchSharp's helper: scale = gamma / sqrt(var + eps), W' = W * scale, b' = beta - mean * scale.
        var scale = bn.weight! / (bn.running_var! + bn.eps).sqrt();
        Assert.True(target.weight!.allclose(conv.weight! * scale.view(-1, 1, 1, 1), rtol: 1e-5, atol: 1e-7));
        Assert.True(target.bias!.allclose(bn.bias! - bn.running_mean! * scale, rtol: 1e-5, atol: 1e-6));
    }

    [Fact]
    public void Hooks_fire_and_gradients_equal_those_of_the_unfolded_body()
    {
        using var scope = NewDisposeScope();
        using var folded = fixture.Model.Body.FoldBatchNorm();
        var input = fixture.Model.Preprocessing.Normalize(TestPhotos.Load(TestPhotos.Square[2]).unsqueeze(0));
        Tensor? captured = null;
        var hook = folded.Layer4.register_forward_hook((_, _, o) =>
        {
            captured = o.detach().clone();
            return null!;
        });
        Tensor Gradient(nn.Module<Tensor, Tensor> body)
        {
            var leaf = input.clone().requires_grad_(true);
            var score = ResNetBody.Pool(body.call(leaf))[0, 7];
            return autograd.grad([score], [leaf])[0];
        }
        try
        {
            var foldedGradient = Gradient(folded);
            Assert.NotNull(captured);
            Assert.Equal([1L, 512, 7, 7], captured!.shape);
            var unfoldedGradient = Gradient(fixture.Model.Body);
            var scale = unfoldedGradient.abs().max().item<float>();
            var diff = (foldedGradient - unfoldedGradient).abs().max().item<float>();
            output.WriteLine($"input gradient max |diff| {diff:E2} (max {scale:E2})");
            Assert.True(scale > 0);
            // Float rounding through 20 layers leaves ~0.2% of the largest value; a broken in-place step would be off by the value itself.
            Assert.True(diff <= 1e-2f * scale, $"gradients differ by {diff} (max {scale})");
        }
        finally
        {
            hook.remove();
        }
    }

    [Fact]
    public void Training_mode_is_refused_with_a_clear_message()
    {
        using var folded = fixture.Model.Body.FoldBatchNorm();
        var error = Assert.Throws<InvalidOperationException>(() => folded.train());
        Assert.Contains("inference only", error.Message);
        Assert.False(folded.training);
        folded.eval();
        Assert.False(folded.training);
    }

    [Fact]
    public void Early_stages_run_channels_last_with_the_values_of_the_teaching_body()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var folded = fixture.Model.Body.FoldBatchNorm();
        var body = fixture.Model.Body;
        var input = fixture.Model.Preprocessing.Normalize(TestPhotos.Load(TestPhotos.Square[0]).unsqueeze(0));
        var stages = new (string Name, nn.Module<Tensor, Tensor> Folded, nn.Module<Tensor, Tensor> Teaching)[]
        {
            ("stem", folded.Stem, body.Stem), ("layer1", folded.Layer1, body.Layer1), ("layer2", folded.Layer2, body.Layer2),
            ("layer3", folded.Layer3, body.Layer3), ("layer4", folded.Layer4, body.Layer4),
        };
        Dictionary<string, Tensor> Capture(Func<(string Name, nn.Module<Tensor, Tensor> Module)[]> pick, nn.Module<Tensor, Tensor> model)
        {
            var captured = new Dictionary<string, Tensor>();
            var hooks = pick().Select(s => s.Module.register_forward_hook((_, _, output) =>
            {
                captured[s.Name] = output.detach().clone();
                return null!;
            })).ToList();
            try
            {
                model.call(input);
            }
            finally
            {
                foreach (var hook in hooks) hook.remove();
            }
            return captured;
        }
        var fast = Capture(() => stages.Select(s => (s.Name, s.Folded)).ToArray(), folded);
        var plain = Capture(() => stages.Select(s => (s.Name, s.Teaching)).ToArray(), body);
        Assert.True(ChannelsLast.IsChannelsLast(fast["stem"]));
        Assert.True(ChannelsLast.IsChannelsLast(fast["layer2"]));
        Assert.True(fast["layer3"].is_contiguous());
        Assert.True(fast["layer4"].is_contiguous());
        foreach (var (name, _, _) in stages)
        {
            var diff = (fast[name] - plain[name]).abs().max().item<float>();
            output.WriteLine($"{name}: folded vs teaching max |diff| {diff:E2}");
            Assert.True(diff <= 2e-4f, $"{name}: max |diff| {diff}");
        }
    }
}
