using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CamNotebooks.Model.Inference;

/// <summary>
/// The inference form of <see cref="ResNetBody"/>, made by <see cref="ResNetBody.FoldBatchNorm"/>: each batch norm (with its
/// running statistics, as in eval mode) folded into the convolution before it, as ONNX Runtime does when it loads the graph.
/// Same stages under the same names (<c>stem</c>, <c>layer1</c>..<c>layer4</c>, their blocks and convolutions), so hooks and
/// CAM work on it as on the body; same outputs up to float rounding (about 1e-5). It has no batch norms to inspect and refuses
/// training mode.
/// </summary>
/// <remarks>
/// What makes it as fast as ONNX Runtime (each measured with <c>CamNotebooks.Bench model</c>): the stem, layer1 and layer2 run
/// in the channels-last memory format (see <see cref="ChannelsLast"/>), layer3 and layer4 in the default layout; layers pad
/// by themselves, the graph's asymmetric pads becoming a crop of their input (see <see cref="OnnxPadding.CropForSymmetricLayer"/>);
/// ReLU and the residual sum work in place. Hooks on the early stages therefore receive tensors with the usual shape and
/// values but channels-last strides (<c>.contiguous()</c> gives the default layout); layer3, layer4 and the output are in the
/// default layout.
/// </remarks>
public sealed class FoldedResNetBody : nn.Module<Tensor, Tensor>
{
    private readonly FoldedStem stem;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;

    private FoldedResNetBody() : base(nameof(FoldedResNetBody))
    {
        stem = new FoldedStem("stem");
        static FoldedBasicBlock Block(string name, long inChannels, long outChannels, bool downsamples) =>
            new(name, inChannels, outChannels, downsamples);
        layer1 = ResNetBody.MakeStage(0, Block);
        layer2 = ResNetBody.MakeStage(1, Block);
        layer3 = ResNetBody.MakeStage(2, Block);
        layer4 = ResNetBody.MakeStage(3, Block);
        RegisterComponents();
        eval();
    }

    /// <summary>The folded copy of <paramref name="body"/> (which is unchanged); parameters need no gradient.</summary>
    internal static FoldedResNetBody Fold(ResNetBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var folded = new FoldedResNetBody();
        try
        {
            using var noGrad = no_grad();
            var source = body.named_modules().ToDictionary(m => m.name, m => m.module);
            foreach (var (name, module) in folded.named_modules())
            {
                if (module is not Conv2d target) continue;
                var conv = (Conv2d)source[name];
                var batchNorm = (BatchNorm2d)source[BatchNormAfter(name)];
                // TorchSharp's own fusion helper (torch.nn.utils), the formula of PyTorch's fuse_conv_bn_eval.
                var (weight, bias) = nn.utils.fuse_conv_bn_weights(conv.weight!, conv.bias, batchNorm.running_mean!, batchNorm.running_var!,
                    batchNorm.eps, batchNorm.weight, batchNorm.bias);
                using (weight)
                using (bias)
                {
                    target.weight!.copy_(weight);
                    target.bias!.copy_(bias);
                }
            }
            foreach (var parameter in folded.parameters()) parameter.requires_grad = false;
            return folded;
        }
        catch
        {
            folded.Dispose();
            throw;
        }
    }

    /// <summary>The batch norm that follows a convolution: <c>x.conv1</c> -> <c>x.bn1</c>, <c>x.downsample.0</c> -> <c>x.downsample.1</c>.</summary>
    private static string BatchNormAfter(string convName) =>
        convName.EndsWith(".downsample.0", StringComparison.Ordinal) ? convName[..^1] + "1"
        : convName[..convName.LastIndexOf(".conv", StringComparison.Ordinal)] + ".bn" + convName[^1];

    /// <summary>The stem (conv 7x7 with bias, ReLU, max pool).</summary>
    public FoldedStem Stem => stem;

    /// <summary>Stage 1: 2 blocks, 64 channels, H/4.</summary>
    public Sequential Layer1 => layer1;

    /// <summary>Stage 2: 2 blocks, 128 channels, H/8.</summary>
    public Sequential Layer2 => layer2;

    /// <summary>Stage 3: 2 blocks, 256 channels, H/16.</summary>
    public Sequential Layer3 => layer3;

    /// <summary>Stage 4: 3 blocks, 512 channels, H/32. Its output is the body's output.</summary>
    public Sequential Layer4 => layer4;

    /// <inheritdoc />
    /// <exception cref="InvalidOperationException">Training mode was asked.</exception>
    public override void train(bool train = true)
    {
        if (train)
            throw new InvalidOperationException("A body with folded batch norms is for inference only (its batch norms cannot learn or use batch statistics). Train the unfolded ResNetBody and fold it again.");
        base.train(train);
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        ResNetBody.CheckInput(input);
        // The large early maps run channels-last, layer3 and layer4 in the default layout; values are the same in both.
        using var channelsLast = ChannelsLast.From(input);
        using var early = ResNetBody.Chain(stem.call(channelsLast), layer1, layer2);
        using var plain = early.contiguous();
        return ResNetBody.Chain(layer3.call(plain), layer4);
    }

    /// <summary>The 512 pooled features per image: <c>ResNetBody.Pool(call(input))</c>, what the ONNX featurizer outputs.</summary>
    public Tensor Features(Tensor input)
    {
        using var activations = call(input);
        return ResNetBody.Pool(activations);
    }
}
