using static TorchSharp.torch;

namespace CamNotebooks.Model.Inference;

/// <summary>
/// The channels-last memory format for [N, C, H, W] tensors: the same shape and values, stored pixel by pixel (C varies
/// fastest). libtorch's oneDNN convolutions, batch norm and max pooling run much faster on it for large images with few
/// channels (ResNet's stem, layer1, layer2), while the small 7x7 and 14x14 maps of layer3 and layer4 are faster in the default
/// layout (measured with <c>CamNotebooks.Bench model</c>).
/// </summary>
/// <remarks>
/// Written by hand because TorchSharp 0.107 has no <c>Tensor.contiguous(memory_format)</c>: permuting to [N, H, W, C],
/// copying, and permuting back gives exactly the strides libtorch recognises as channels-last.
/// </remarks>
public static class ChannelsLast
{
    /// <summary>Whether <paramref name="tensor"/> is a 4-d tensor stored channels-last (channels with stride 1).</summary>
    public static bool IsChannelsLast(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4) return false;
        var (n, c, h, w) = (tensor.shape[0], tensor.shape[1], tensor.shape[2], tensor.shape[3]);
        var strides = tensor.stride();
        return (c == 1 || strides[1] == 1) && (w == 1 || strides[3] == c) && (h == 1 || strides[2] == c * w) && (n == 1 || strides[0] == c * h * w);
    }

    /// <summary>
    /// A channels-last copy of an [N, C, H, W] tensor (a new handle on the same tensor when it already is). Values, shape and
    /// autograd history are unchanged; only the order in memory differs.
    /// </summary>
    public static Tensor From(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.dim() != 4)
            throw new ArgumentException($"Channels-last applies to [N, C, H, W] tensors, got [{string.Join(", ", tensor.shape)}].", nameof(tensor));
        if (IsChannelsLast(tensor)) return tensor.alias();
        using var pixelsFirst = tensor.permute(0, 2, 3, 1);
        using var copy = pixelsFirst.contiguous();
        return copy.permute(0, 3, 1, 2);
    }
}
