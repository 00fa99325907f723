using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CamNotebooks.Model;

/// <summary>
/// The first stage of the ONNX ResNet: 7x7 stride-2 convolution (3 -> 64 channels, pads [top 3, left 3, bottom 2, right 2]),
/// batch norm, ReLU, 3x3 stride-2 max pooling (pads [1, 1, 0, 0]). 224x224 becomes 56x56.
/// Children: <c>conv1</c>, <c>bn1</c>, <c>relu</c>, <c>maxpool</c> (no <c>bn1</c>, and a convolution with a bias, when the batch
/// norm is folded: see <see cref="ResNetBody.FoldBatchNorm"/>).
/// </summary>
public sealed class ResNetStem : nn.Module<Tensor, Tensor>
{
    /// <summary>Padding of the 7x7 convolution in the graph.</summary>
    public static readonly OnnxPadding ConvPadding = new(3, 3, 2, 2);

    /// <summary>Padding of the max pooling in the graph.</summary>
    public static readonly OnnxPadding PoolPadding = new(1, 1, 0, 0);

    private readonly Conv2d conv1;
    private readonly BatchNorm2d? bn1;
    private readonly ReLU relu;
    private readonly MaxPool2d maxpool;

    /// <summary>Creates the stem with untrained weights.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="batchNormEpsilon">Epsilon of the batch norm (from the graph).</param>
    /// <param name="batchNormFolded">Build the inference-only form: no batch norm, a convolution with a bias.</param>
    public ResNetStem(string name, double batchNormEpsilon = 1e-5, bool batchNormFolded = false) : base(name)
    {
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, bias: batchNormFolded);
        bn1 = batchNormFolded ? null : nn.BatchNorm2d(64, eps: batchNormEpsilon);
        relu = nn.ReLU(inplace: batchNormFolded);
        // The pooling pads by itself (with -inf, as ONNX ignores padded cells): see OnnxPadding.CropForSymmetricLayer.
        maxpool = nn.MaxPool2d(3, stride: 2, padding: 1);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        // Intermediates are disposed one by one (not with a dispose scope, which would also dispose tensors kept by hooks).
        // The 7x7 convolution pads explicitly: at odd sizes no crop reproduces its pads, and its 3-channel input is cheap to copy.
        using var padded = ConvPadding.Apply(input);
        using var convolved = conv1.call(padded);
        using var normalized = bn1?.call(convolved);
        using var activated = relu.call(normalized ?? convolved);
        using var poolInput = PoolPadding.CropForSymmetricLayer(activated, 3, 2);
        return maxpool.call(poolInput);
    }
}
