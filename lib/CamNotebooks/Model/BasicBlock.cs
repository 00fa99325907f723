using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CamNotebooks.Model;

/// <summary>
/// A ResNet basic block as in the ONNX graph: <c>relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))</c>. The first block of
/// layers 2-4 halves the resolution: its first 3x3 convolution has stride 2 with padding [top 1, left 1, bottom 0, right 0],
/// and its shortcut is <c>downsample</c> = 1x1 stride-2 convolution + batch norm. Other blocks add <c>x</c> itself.
/// Children (torchvision names): <c>conv1</c>, <c>bn1</c>, <c>relu</c>, <c>conv2</c>, <c>bn2</c>, and <c>downsample</c>
/// (<c>downsample.0</c> conv, <c>downsample.1</c> batch norm) in downsampling blocks.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Padding of the stride-2 3x3 convolution in the graph (pads [1, 1, 0, 0]).</summary>
    public static readonly OnnxPadding StridedPadding = new(1, 1, 0, 0);

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Sequential? downsample;
    private readonly OnnxPadding? conv1Padding;

    /// <summary>Creates a block with untrained weights (load them with <see cref="PretrainedResNet"/>).</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output.</param>
    /// <param name="downsampleInput">Whether this block halves the resolution (stride 2, projection shortcut).</param>
    /// <param name="batchNormEpsilon">Epsilon of the batch norms (from the graph).</param>
    public BasicBlock(string name, long inChannels, long outChannels, bool downsampleInput, double batchNormEpsilon = 1e-5) : base(name)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        Downsamples = downsampleInput;
        if (downsampleInput)
        {
            // The graph pads this convolution [1, 1, 0, 0], which a PyTorch layer cannot: forward pads its input explicitly.
            conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: 2, bias: false);
            conv1Padding = StridedPadding;
            downsample = nn.Sequential(
                nn.Conv2d(inChannels, outChannels, 1, stride: 2, bias: false),
                nn.BatchNorm2d(outChannels, eps: batchNormEpsilon));
        }
        else
        {
            if (inChannels != outChannels)
                throw new ArgumentException($"A block without downsampling adds its input to its output, so it needs inChannels == outChannels (got {inChannels} and {outChannels}).");
            conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        }
        bn1 = nn.BatchNorm2d(outChannels, eps: batchNormEpsilon);
        relu = nn.ReLU();
        conv2 = nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels, eps: batchNormEpsilon);
        RegisterComponents();
    }

    /// <summary>Channels of the input.</summary>
    public long InChannels { get; }

    /// <summary>Channels of the output.</summary>
    public long OutChannels { get; }

    /// <summary>Whether this block halves the resolution and has a projection shortcut.</summary>
    public bool Downsamples { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        // Every child is invoked with call(...), so forward hooks on it fire. Nothing is changed in place: a hook keeps
        // seeing the output it was given.
        using var padded = conv1Padding?.Apply(x);
        using var residual = ResNetBody.Chain(conv1.call(padded ?? x), bn1, relu, conv2, bn2);
        using var identity = downsample?.call(x);
        using var sum = residual.add(identity ?? x);
        return relu.call(sum);
    }
}
