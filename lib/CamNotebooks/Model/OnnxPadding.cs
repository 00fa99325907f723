using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Model;

/// <summary>
/// Spatial padding as the ONNX graph states it: rows added on top and bottom, columns on left and right. The CNTK export pads
/// strided layers asymmetrically (one more row/column before than after); PyTorch-style symmetric padding gives the same
/// numbers at 224x224 only, so the port pads explicitly to stay exact at any input size.
/// </summary>
/// <param name="Top">Rows added above.</param>
/// <param name="Left">Columns added on the left.</param>
/// <param name="Bottom">Rows added below.</param>
/// <param name="Right">Columns added on the right.</param>
public readonly record struct OnnxPadding(long Top, long Left, long Bottom, long Right)
{
    /// <summary>The same padding on all four sides.</summary>
    public static OnnxPadding Symmetric(long amount) => new(amount, amount, amount, amount);

    /// <summary>Whether all four sides are padded by the same amount (then the layer can pad by itself).</summary>
    public bool IsSymmetric => Top == Left && Left == Bottom && Bottom == Right;

    /// <summary>The ONNX <c>pads</c> attribute order: [top, left, bottom, right].</summary>
    public long[] ToOnnxPads() => [Top, Left, Bottom, Right];

    /// <summary>Pads an [N, C, H, W] tensor with <paramref name="value"/> (zeros for convolutions, -inf for max pooling).</summary>
    public Tensor Apply(Tensor input, double value = 0) =>
        // nn.functional.pad takes the last dimension first: (left, right, top, bottom).
        nn.functional.pad(input, [Left, Right, Top, Bottom], PaddingModes.Constant, value);

    /// <inheritdoc />
    public override string ToString() => $"[{Top}, {Left}, {Bottom}, {Right}]";
}
