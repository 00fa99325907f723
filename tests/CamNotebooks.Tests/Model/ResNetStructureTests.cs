using CamNotebooks.Model;
using Onnx;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Model;

/// <summary>The module tree has the graph's stages and blocks, and forward hooks on them fire.</summary>
[Collection(PretrainedModelCollection.Name)]
public sealed class ResNetStructureTests(PretrainedModelFixture fixture)
{
    [Fact]
    public void Named_modules_list_the_stages_and_blocks_of_the_graph()
    {
        var names = fixture.Model.Body.named_modules().Select(m => m.name).ToHashSet();
        string[] expected =
        [
            "stem", "stem.conv1", "stem.bn1", "stem.maxpool", "layer1", "layer1.0", "layer1.1", "layer2.0.downsample.0",
            "layer2.0.downsample.1", "layer3.1.conv2", "layer4", "layer4.0.downsample", "layer4.1", "layer4.2", "layer4.2.bn2",
        ];
        foreach (var name in expected) Assert.Contains(name, names);
        Assert.DoesNotContain("layer4.3", names);
        Assert.DoesNotContain("layer1.0.downsample", names);
        Assert.DoesNotContain("layer4.1.downsample", names);
        Assert.Equal(3, fixture.Model.Body.Layer4.children().Count());
        var modules = fixture.Model.Body.modules().ToList();
        Assert.Equal(OnnxResNetReader.ExpectedConvCount, modules.OfType<Conv2d>().Count());
        Assert.Equal(OnnxResNetReader.ExpectedBatchNormCount, modules.OfType<BatchNorm2d>().Count());
        Assert.All(modules, m => Assert.False(m.training));
    }

    [Fact]
    public void Parameter_count_is_the_hand_computed_total_and_matches_the_onnx_file()
    {
        // Convolutions (out * in * k * k): stem, layer1 (4 3x3), layer2..4 (first 3x3 from the previous width, the other 3x3s,
        // the 1x1 shortcut); layer4 has 3 blocks, so 5 of its 3x3 convolutions are 512 -> 512.
        long conv = 64 * 3 * 7 * 7
            + 4 * (64 * 64 * 9)
            + 128 * 64 * 9 + 3 * (128 * 128 * 9) + 128 * 64
            + 256 * 128 * 9 + 3 * (256 * 256 * 9) + 256 * 128
            + 512 * 256 * 9 + 5 * (512 * 512 * 9) + 512 * 256;
        // Batch norms: weight and bias per channel; one after each convolution.
        long batchNormChannels = 64 + 4 * 64 + 5 * 128 + 5 * 256 + 7 * 512;
        long expected = conv + 2 * batchNormChannels;
        Assert.Equal(15_897_152, expected);

        var parameters = fixture.Model.Body.parameters().Sum(p => p.numel());
        Assert.Equal(expected, parameters);

        // Parameters plus running statistics are exactly the tensors stored in the ONNX file.
        var runningStatistics = fixture.Model.Body.named_buffers().Where(b => b.name.Contains("running_")).Sum(b => b.buffer.numel());
        var stored = ModelProto.Parser.ParseFrom(File.ReadAllBytes(fixture.Files.BodyPath)).Graph.Initializer.Sum(t => t.Dims.Aggregate(1L, (a, b) => a * b));
        Assert.Equal(stored, parameters + runningStatistics);
    }

    [Fact]
    public void Forward_hooks_on_stages_and_inner_layers_fire_under_call()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var body = fixture.Model.Body;
        var input = fixture.Model.Preprocessing.Normalize(TestPhotos.Load(TestPhotos.Square[0]).unsqueeze(0));
        var expected = body.call(input);

        var layer4Calls = new List<long[]>();
        var innerCalls = 0;
        var bodyCalls = 0;
        Tensor? stored = null;
        var inner = (BasicBlock)body.Layer4[2];
        var layer4Hook = body.Layer4.register_forward_hook((_, _, output) =>
        {
            layer4Calls.Add(output.shape);
            stored = output.detach().clone();
            return null!;
        });
        var innerHook = inner.register_forward_hook((_, _, _) => { innerCalls++; return null!; });
        var bodyHook = body.register_forward_hook((_, _, _) => { bodyCalls++; return null!; });
        try
        {
            var output = body.call(input);
            Assert.Equal([[1L, 512, 7, 7]], layer4Calls);
            Assert.Equal(1, innerCalls);
            Assert.Equal(1, bodyCalls);
            // layer4's output is the body's output.
            Assert.True(stored!.eq(expected).all().item<bool>());
            Assert.True(output.eq(expected).all().item<bool>());

            // forward() skips the body's own hooks, but the body still calls its children with call().
            body.forward(input);
            Assert.Equal(1, bodyCalls);
            Assert.Equal(2, layer4Calls.Count);
        }
        finally
        {
            layer4Hook.remove();
            innerHook.remove();
            bodyHook.remove();
        }
        body.call(input);
        Assert.Equal(2, layer4Calls.Count);
    }

    [Fact]
    public void Every_stage_of_the_teaching_body_hands_hooks_the_default_layout()
    {
        // The speed tricks (channels-last early stages) belong to the folded copy only; see FoldedBatchNormTests.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var body = fixture.Model.Body;
        var input = fixture.Model.Preprocessing.Normalize(TestPhotos.Load(TestPhotos.Square[0]).unsqueeze(0));
        var captured = new Dictionary<string, Tensor>();
        var stages = new (string Name, nn.Module<Tensor, Tensor> Module)[]
            { ("stem", body.Stem), ("layer1", body.Layer1), ("layer2", body.Layer2), ("layer3", body.Layer3), ("layer4", body.Layer4) };
        var hooks = stages.Select(s => s.Module.register_forward_hook((_, _, output) =>
        {
            captured[s.Name] = output.detach().clone();
            return null!;
        })).ToList();
        Tensor output;
        try
        {
            output = body.call(input);
        }
        finally
        {
            foreach (var hook in hooks) hook.remove();
        }
        Assert.Equal(stages.Length, captured.Count);
        Assert.All(captured, c => Assert.True(c.Value.is_contiguous(), $"{c.Key} is not in the default layout"));
        Assert.True(output.is_contiguous());
    }

    [Fact]
    public void A_hook_that_returns_a_tensor_replaces_the_stage_output()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var body = fixture.Model.Body;
        var input = fixture.Model.Preprocessing.Normalize(TestPhotos.Load(TestPhotos.Square[1]).unsqueeze(0));
        var normal = body.call(input);
        var hook = body.Layer4.register_forward_hook((_, _, output) => output * 2);
        try
        {
            var doubled = body.call(input);
            Assert.True(doubled.allclose(normal * 2, rtol: 0, atol: 1e-5));
        }
        finally
        {
            hook.remove();
        }
    }

    [Fact]
    public void Gradients_flow_to_the_input_through_the_pretrained_body()
    {
        // Grad-CAM needs gradients of a score with respect to layer4; check autograd works end to end.
        using var scope = NewDisposeScope();
        var input = fixture.Model.Preprocessing.Normalize(TestPhotos.Load(TestPhotos.Square[2]).unsqueeze(0)).requires_grad_(true);
        var score = ResNetBody.Pool(fixture.Model.Body.call(input))[0, 7];
        var gradient = autograd.grad([score], [input])[0];
        Assert.Equal(input.shape, gradient.shape);
        Assert.True(gradient.abs().sum().item<float>() > 0);
        fixture.Model.Body.zero_grad();
    }
}
