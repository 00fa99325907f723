using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace CamNotebooks.Model;

/// <summary>
/// The first stage of the ONNX ResNet: 7x7 stride-2 convolution (3 -> 64 channels, pads [top 3, left 3, bottom 2, right 2]),
/// batch norm, ReLU, 3x3 stride-2 max pooling (pads [1, 1, 0, 0]). 224x224 becomes 56x56.
/// Children: <c>conv1</c>, <c>bn1</c>, <c>relu</c>, <c>maxpool</c>.
/// </summary>
public sealed class ResNetStem : nn.Module<Tensor, Tensor>
{
    /// <summary>Padding of the 7x7 convolution in the graph.</summary>
    public static readonly OnnxPadding ConvPadding = new(3, 3, 2, 2);

    /// <summary>Padding of the max pooling in the graph.</summary>
    public static readonly OnnxPadding PoolPadding = new(1, 1, 0, 0);

    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly ReLU relu;
    private readonly MaxPool2d maxpool;

    /// <summary>Creates the stem with untrained weights.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="batchNormEpsilon">Epsilon of the batch norm (from the graph).</param>
    public ResNetStem(string name, double batchNormEpsilon = 1e-5) : base(name)
    {
        // Both layers pad asymmetrically in the graph, which PyTorch layers cannot: forward pads their inputs explicitly.
        conv1 = nn.Conv2d(3, 64, 7, stride: 2, bias: false);
        bn1 = nn.BatchNorm2d(64, eps: batchNormEpsilon);
        relu = nn.ReLU();
        maxpool = nn.MaxPool2d(3, stride: 2);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x)
    {
        using var padded = ConvPadding.Apply(x);
        using var activated = ResNetBody.Chain(conv1.call(padded), bn1, relu);
        // Max pooling ignores padded cells, as ONNX does: pad with -inf.
        using var poolPadded = PoolPadding.Apply(activated, double.NegativeInfinity);
        return maxpool.call(poolPadded);
    }
}
