using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CamNotebooks.Model.Inference;

/// <summary>
/// <see cref="ResNetStem"/> with its batch norm folded into the convolution (see <see cref="FoldedResNetBody"/>): 7x7 stride-2
/// convolution with a bias, ReLU in place, 3x3 stride-2 max pooling. Children: <c>conv1</c>, <c>relu</c>, <c>maxpool</c>.
/// </summary>
public sealed class FoldedStem : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly ReLU relu;
    private readonly MaxPool2d maxpool;

    /// <summary>Creates the stem with untrained weights; <see cref="FoldedResNetBody.Fold"/> fills them.</summary>
    /// <param name="name">Module name.</param>
    public FoldedStem(string name) : base(name)
    {
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, bias: true);
        relu = nn.ReLU(inplace: true);
        // The pooling pads by itself (with -inf, as ONNX ignores padded cells): see OnnxPadding.CropForSymmetricLayer.
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        // The 7x7 convolution pads explicitly: at odd sizes no crop reproduces its pads, and its 3-channel input is cheap to copy.
        // The max pooling's asymmetric pads become a crop of its input (a view), which saves copying the largest activation map.
        using var padded = ResNetStem.ConvPadding.Apply(x);
        using var activated = ResNetBody.Chain(conv1.call(padded), relu); // ReLU in place
        using var poolInput = ResNetStem.PoolPadding.CropForSymmetricLayer(activated, 3, 2);
        return maxpool.call(poolInput);
    }
}
