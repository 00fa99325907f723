using CamNotebooks.Model.Inference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CamNotebooks.Model;

/// <summary>
/// The ImageNet-trained ResNet of the ML.NET featurizer package, rebuilt layer by layer so that its stages can be hooked:
/// <c>stem</c> (7x7 conv, max pool), <c>layer1</c> (2 <see cref="BasicBlock"/>s, 64 channels), <c>layer2</c> (2, 128),
/// <c>layer3</c> (2, 256), <c>layer4</c> (<b>3</b> blocks, 512 channels). It is a body without classifier head: the output is
/// the layer4 activation map [N, 512, H/32, W/32] (7x7 for 224x224 inputs), the map that CAM and Grad-CAM look at.
/// Input: [N, 3, H, W] BGR minus the mean image (see <see cref="ResNetPreprocessing.Normalize"/>).
/// Children are invoked with <c>call(...)</c>, so forward hooks on any of them (e.g. <c>layer4</c>, <c>layer4.2</c>) fire.
/// As in <c>torch.nn.Sequential</c>, intermediate outputs are disposed during the pass: a hook that wants to keep an
/// activation must keep <c>output.detach().clone()</c> (as the book does), not <c>output</c> itself.
/// For fast inference without batch norms, see <see cref="FoldBatchNorm"/>.
/// </summary>
public sealed class ResNetBody : nn.Module<Tensor, Tensor>
{
    /// <summary>Blocks per stage, as in the graph (layer4 has one more than torchvision's resnet18).</summary>
    public static readonly IReadOnlyList<int> BlocksPerStage = [2, 2, 2, 3];

    /// <summary>Channels per stage.</summary>
    public static readonly IReadOnlyList<long> ChannelsPerStage = [64, 128, 256, 512];

    /// <summary>Channels of the output map and length of the pooled feature vector.</summary>
    public const long FeatureChannels = 512;

    /// <summary>Total downsampling factor from input to output map.</summary>
    public const int Stride = 32;

    private readonly ResNetStem stem;
    private readonly Sequential layer1;
    private readonly Sequential layer2;
    private readonly Sequential layer3;
    private readonly Sequential layer4;

    /// <summary>Creates the body with untrained (random) weights; <see cref="PretrainedResNet.Load"/> gives the trained one.</summary>
    /// <param name="batchNormEpsilon">Epsilon of every batch norm (the graph uses float32 1e-5).</param>
    public ResNetBody(double batchNormEpsilon = 1e-5) : base(nameof(ResNetBody))
    {
        stem = new ResNetStem("stem", batchNormEpsilon);
        BasicBlock Block(string name, long inChannels, long outChannels, bool downsamples) =>
            new(name, inChannels, outChannels, downsamples, batchNormEpsilon);
        layer1 = MakeStage(0, Block);
        layer2 = MakeStage(1, Block);
        layer3 = MakeStage(2, Block);
        layer4 = MakeStage(3, Block);
        RegisterComponents();
    }

    /// <summary>
    /// A copy of this body for fast inference (<see cref="FoldedResNetBody"/>): each batch norm folded into the convolution
    /// before it, as ONNX Runtime does when it loads the graph. Same outputs up to float rounding (about 1e-5), same stage and
    /// block names (hooks on <c>layer4</c> or <c>layer4.2</c> work), faster. Dispose it when done; this body is unchanged.
    /// </summary>
    public FoldedResNetBody FoldBatchNorm() => FoldedResNetBody.Fold(this);

    /// <summary>The stem (conv 7x7, batch norm, ReLU, max pool).</summary>
    public ResNetStem Stem => stem;

    /// <summary>Stage 1: 2 blocks, 64 channels, H/4.</summary>
    public Sequential Layer1 => layer1;

    /// <summary>Stage 2: 2 blocks, 128 channels, H/8.</summary>
    public Sequential Layer2 => layer2;

    /// <summary>Stage 3: 2 blocks, 256 channels, H/16.</summary>
    public Sequential Layer3 => layer3;

    /// <summary>Stage 4: 3 blocks, 512 channels, H/32. Its output is the body's output.</summary>
    public Sequential Layer4 => layer4;

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        CheckInput(input);
        return Chain(stem.call(input), layer1, layer2, layer3, layer4);
    }

    /// <summary>
    /// Applies <paramref name="layers"/> in turn to <paramref name="x"/> with <c>call</c> (so hooks fire), disposing each
    /// intermediate result and <paramref name="x"/> itself, as <c>torch.nn.Sequential</c> does. Not a dispose scope: that would
    /// also dispose the tensors that hooks keep (hooks must keep <c>output.detach().clone()</c>, not <c>output</c>).
    /// </summary>
    internal static Tensor Chain(Tensor x, params nn.Module<Tensor, Tensor>[] layers)
    {
        foreach (var layer in layers)
        {
            var next = layer.call(x);
            x.Dispose();
            x = next;
        }
        return x;
    }

    /// <summary>Throws a clear error unless <paramref name="input"/> is a float32 batch [N, 3, H, W] of a size the graph supports.</summary>
    internal static void CheckInput(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 4 || input.shape[1] != 3)
            throw new ArgumentException(
                $"ResNetBody expects a batch [N, 3, H, W] of normalised BGR images, got [{string.Join(", ", input.shape)}]. " +
                "Use ResNetPreprocessing.Normalize on RGB 0..255 images, and unsqueeze(0) a single image.", nameof(input));
        if (!IsSupportedSize(input.shape[2]) || !IsSupportedSize(input.shape[3]))
            throw new ArgumentException(
                $"Image height and width must be at least {Stride} and a multiple of {Stride} plus 0 to 3 (e.g. 224, 256, 227), got {input.shape[2]}x{input.shape[3]}. " +
                "With the graph's asymmetric padding, other sizes make a block's shortcut and main path differ by one pixel. Resize or crop the image.", nameof(input));
        if (input.dtype != ScalarType.Float32)
            throw new ArgumentException($"ResNetBody expects float32 input, got {input.dtype}. Convert with .to(ScalarType.Float32).", nameof(input));
    }

    /// <summary>
    /// Whether an input height or width fits the graph: the stride-2 3x3 convolutions (pads 1 before, 0 after) and the 1x1
    /// shortcuts (no padding) give the same output size only for even inputs, which holds at every stage exactly when the size
    /// modulo 32 is 0, 1, 2 or 3.
    /// </summary>
    public static bool IsSupportedSize(long size) => size >= Stride && size % Stride < 4;

    /// <summary>Global average pooling of an activation map [N, C, H, W] to [N, C] (the graph's final AveragePool).</summary>
    public static Tensor Pool(Tensor activations)
    {
        ArgumentNullException.ThrowIfNull(activations);
        if (activations.dim() != 4)
            throw new ArgumentException($"Pool expects an activation map [N, C, H, W], got [{string.Join(", ", activations.shape)}].", nameof(activations));
        return activations.mean([2, 3]);
    }

    /// <summary>The 512 pooled features per image: <c>Pool(call(input))</c>, i.e. what the ONNX featurizer outputs.</summary>
    public Tensor Features(Tensor input)
    {
        using var activations = call(input);
        return Pool(activations);
    }

    /// <summary>
    /// Stage <paramref name="stage"/> (0 = layer1) as a sequence of blocks named 0, 1, ...; <paramref name="block"/> makes one
    /// from (name, input channels, output channels, whether it downsamples).
    /// </summary>
    internal static Sequential MakeStage(int stage, Func<string, long, long, bool, nn.Module<Tensor, Tensor>> block)
    {
        var channels = ChannelsPerStage[stage];
        var inChannels = stage == 0 ? 64 : ChannelsPerStage[stage - 1];
        var blocks = new nn.Module<Tensor, Tensor>[BlocksPerStage[stage]];
        for (var i = 0; i < blocks.Length; i++)
        {
            // Stages 2-4 start with a downsampling block; stage 1 keeps the stem's resolution.
            blocks[i] = block(i.ToString(System.Globalization.CultureInfo.InvariantCulture), i == 0 ? inChannels : channels, channels, i == 0 && stage > 0);
        }
        return nn.Sequential(blocks);
    }
}
