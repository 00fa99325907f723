using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CamNotebooks.Model.Inference;

/// <summary>
/// <see cref="BasicBlock"/> with its batch norms folded into the convolutions (see <see cref="FoldedResNetBody"/>):
/// <c>relu(conv2(relu(conv1(x))) + shortcut(x))</c>, convolutions with a bias, ReLU and the residual sum in place.
/// Children: <c>conv1</c>, <c>relu</c>, <c>conv2</c>, and <c>downsample</c> (<c>downsample.0</c>, a 1x1 stride-2 convolution)
/// in downsampling blocks.
/// </summary>
public sealed class FoldedBasicBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly ReLU relu;
    private readonly Conv2d conv2;
    private readonly Sequential? downsample;

    /// <summary>Creates a block with untrained weights; <see cref="FoldedResNetBody.Fold"/> fills them.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inChannels">Channels of the input.</param>
    /// <param name="outChannels">Channels of the output.</param>
    /// <param name="downsampleInput">Whether this block halves the resolution (stride 2, projection shortcut).</param>
    public FoldedBasicBlock(string name, long inChannels, long outChannels, bool downsampleInput) : base(name)
    {
        // The strided convolution pads 1 on every side; forward crops its input so that this equals the graph's [1, 1, 0, 0].
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: downsampleInput ? 2 : 1, padding: 1, bias: true);
        downsample = downsampleInput ? nn.Sequential(nn.Conv2d(inChannels, outChannels, 1, stride: 2, bias: true)) : null;
        relu = nn.ReLU(inplace: true);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        // In downsampling blocks, a view of x without the trailing row/column that the graph's [1, 1, 0, 0] never reads
        // (x itself at even sizes); a separate padding step would copy the activations.
        using var cropped = downsample is null ? x.alias() : BasicBlock.StridedPadding.CropForSymmetricLayer(x, 3, 2);
        using var residual = ResNetBody.Chain(conv1.call(cropped), relu, conv2);
        using var identity = downsample?.call(x);
        using var sum = residual.add_(identity ?? x); // in place: the same tensor object as residual
        return relu.call(sum); // in place too, under a new handle
    }
}
