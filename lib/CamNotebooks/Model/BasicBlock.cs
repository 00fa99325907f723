using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CamNotebooks.Model;

/// <summary>
/// A ResNet basic block as in the ONNX graph: <c>relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))</c>. The first block of
/// layers 2-4 halves the resolution: its first 3x3 convolution has stride 2 with padding [top 1, left 1, bottom 0, right 0],
/// and its shortcut is <c>downsample</c> = 1x1 stride-2 convolution + batch norm. Other blocks add <c>x</c> itself.
/// Children (torchvision names): <c>conv1</c>, <c>bn1</c>, <c>relu</c>, <c>conv2</c>, <c>bn2</c>, and <c>downsample</c>
/// (<c>downsample.0</c> conv, <c>downsample.1</c> batch norm) in downsampling blocks. A block with its batch norms folded
/// into the convolutions (see <see cref="ResNetBody.FoldBatchNorm"/>) has no <c>bn</c> children, convolutions with a bias,
/// and works in place where the unfolded block makes copies.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>
{
    /// <summary>Padding of the stride-2 3x3 convolution in the graph (pads [1, 1, 0, 0]).</summary>
    public static readonly OnnxPadding StridedPadding = new(1, 1, 0, 0);

    private readonly Conv2d conv1;
    private readonly BatchNorm2d? bn1;
    private readonly ReLU relu;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d? bn2;
    private readonly Sequential? downsample;
    private readonly OnnxPadding? conv1Padding;

    /// <summary>Creates a block with untrained weights (load them with <see cref="PretrainedResNet"/>).</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output.</param>
    /// <param name="downsampleInput">Whether this block halves the resolution (stride 2, projection shortcut).</param>
    /// <param name="batchNormEpsilon">Epsilon of the batch norms (from the graph).</param>
    /// <param name="batchNormFolded">Build the inference-only form: no batch norms, convolutions with a bias.</param>
    public BasicBlock(string name, long inChannels, long outChannels, bool downsampleInput, double batchNormEpsilon = 1e-5,
        bool batchNormFolded = false) : base(name)
    {
        InChannels = inChannels;
        OutChannels = outChannels;
        Downsamples = downsampleInput;
        BatchNormFolded = batchNormFolded;
        var bias = batchNormFolded;
        if (downsampleInput)
        {
            // The convolution pads 1 on every side; forward crops its input so that this equals the graph's [1, 1, 0, 0].
            conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: 2, padding: 1, bias: bias);
            conv1Padding = StridedPadding;
            var projection = nn.Conv2d(inChannels, outChannels, 1, stride: 2, bias: bias);
            downsample = batchNormFolded
                ? nn.Sequential(projection)
                : nn.Sequential(projection, nn.BatchNorm2d(outChannels, eps: batchNormEpsilon));
        }
        else
        {
            if (inChannels != outChannels)
                throw new ArgumentException($"A block without downsampling adds its input to its output, so it needs inChannels == outChannels (got {inChannels} and {outChannels}).");
            conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: 1, padding: 1, bias: bias);
        }
        bn1 = batchNormFolded ? null : nn.BatchNorm2d(outChannels, eps: batchNormEpsilon);
        // In place only when folded: in the teaching form a hook on bn1 may keep its output, which must not change afterwards.
        relu = nn.ReLU(inplace: batchNormFolded);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: bias);
        bn2 = batchNormFolded ? null : nn.BatchNorm2d(outChannels, eps: batchNormEpsilon);
        RegisterComponents();
    }

    /// <summary>Channels of the input.</summary>
    public long InChannels { get; }

    /// <summary>Channels of the output.</summary>
    public long OutChannels { get; }

    /// <summary>Whether this block halves the resolution and has a projection shortcut.</summary>
    public bool Downsamples { get; }

    /// <summary>Whether the batch norms are folded into the convolutions (the inference-only form).</summary>
    public bool BatchNormFolded { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        // Every child is invoked with call(...) so that forward hooks registered on it fire. Intermediate results are disposed
        // one by one, as torch.nn.Sequential does, rather than with a dispose scope: a scope would also dispose tensors that
        // hooks create (e.g. the detached clones they keep), which must outlive the forward pass.
        var shortcut = downsample?.call(input);
        var cropped = conv1Padding is { } padding ? padding.CropForSymmetricLayer(input, 3, 2) : null;
        var x = Chain(conv1.call(cropped ?? input), bn1, relu);
        cropped?.Dispose();
        x = Chain(x, conv2, bn2);
        // Unfolded, not add_: a hook on bn2 may keep its output, which must not change afterwards.
        Tensor sum;
        if (BatchNormFolded)
        {
            sum = x.add_(shortcut ?? input); // the same Tensor object as x
        }
        else
        {
            sum = x.add(shortcut ?? input);
            x.Dispose();
        }
        shortcut?.Dispose();
        var output = relu.call(sum);
        sum.Dispose();
        return output;
    }

    /// <summary>Applies the layers in turn to <paramref name="x"/>, disposing each intermediate result (and <paramref name="x"/>); null layers (folded batch norms) are skipped.</summary>
    private static Tensor Chain(Tensor x, params nn.Module<Tensor, Tensor>?[] layers)
    {
        foreach (var layer in layers.OfType<nn.Module<Tensor, Tensor>>())
        {
            var next = layer.call(x);
            x.Dispose();
            x = next;
        }
        return x;
    }
}
