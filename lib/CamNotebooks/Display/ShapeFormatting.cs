using static TorchSharp.torch;

namespace CamNotebooks.Display;

/// <summary>Shapes as the chapters print them, <c>[1, 512, 7, 7]</c>, instead of <c>string.Join(", ", t.shape)</c> in every cell.</summary>
public static class ShapeFormatting
{
    /// <summary>The shape in brackets, e.g. <c>[1, 512, 7, 7]</c>; <c>[]</c> for a scalar.</summary>
    public static string Of(IEnumerable<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return "[" + string.Join(", ", shape) + "]";
    }

    /// <summary>The tensor's shape in brackets, e.g. <c>[1, 512, 7, 7]</c>.</summary>
    /// <exception cref="ObjectDisposedException">The tensor was disposed: the message says so instead of a native error.</exception>
    public static string ShapeText(this Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.IsInvalid)
            throw new ObjectDisposedException(nameof(Tensor), "This tensor has been disposed; keep a clone() if you need it later.");
        return Of(tensor.shape);
    }
}
