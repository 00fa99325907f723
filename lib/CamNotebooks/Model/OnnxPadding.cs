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

    /// <summary>
    /// The part of <paramref name="input"/> [N, C, H, W] that a layer padding <see cref="Top"/> rows and <see cref="Left"/>
    /// columns on <i>both</i> sides (a PyTorch layer with <c>padding: Top</c>) turns into exactly this asymmetric padding's
    /// result: the input itself when the output sizes already agree (even sizes, for the ResNet's stride-2 layers), otherwise
    /// the input without the trailing rows or columns that this padding's windows never read. The folded inference layers pad by
    /// themselves this way because a separate padding step costs a full copy of the activations.
    /// </summary>
    /// <param name="input">The layer's unpadded input.</param>
    /// <param name="kernel">The layer's kernel size.</param>
    /// <param name="stride">The layer's stride.</param>
    /// <returns>A view of <paramref name="input"/> (dispose it; the input is not copied).</returns>
    /// <exception cref="InvalidOperationException">No crop gives the same result (e.g. more padding after than before).</exception>
    public Tensor CropForSymmetricLayer(Tensor input, long kernel, long stride)
    {
        ArgumentNullException.ThrowIfNull(input);
        var rows = KeptLength(input.shape[2], Top, Bottom, kernel, stride);
        var columns = KeptLength(input.shape[3], Left, Right, kernel, stride);
        if (rows is null || columns is null)
            throw new InvalidOperationException(
                $"A layer with symmetric padding ({Top}, {Left}) cannot reproduce padding {this} for kernel {kernel}, stride {stride} and input {input.shape[2]}x{input.shape[3]}; pad explicitly with Apply.");
        return input[.., .., ..(int)rows.Value, ..(int)columns.Value];
    }

    /// <summary>How much of a length-<paramref name="size"/> dimension to keep, or null if no crop matches.</summary>
    private static long? KeptLength(long size, long before, long after, long kernel, long stride)
    {
        long Outputs(long length, long padded) => (length + padded - kernel) / stride + 1;
        var expected = Outputs(size, before + after);
        // Same count: window i reads the same rows in both (rows past the end are zeros either way), so nothing changes.
        if (Outputs(size, 2 * before) == expected) return size;
        // One more window with symmetric padding: drop the rows no window of this padding reads, if that fixes the count.
        var read = -before + stride * (expected - 1) + kernel;
        return read < size && Outputs(read, 2 * before) == expected ? read : null;
    }

    /// <inheritdoc />
    public override string ToString() => $"[{Top}, {Left}, {Bottom}, {Right}]";
}
