using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Imaging;

/// <summary>Turns RGB image tensors into PNG bytes (the form notebooks display and the book embeds).</summary>
public static class Png
{
    /// <summary>
    /// Encodes an RGB image tensor of shape [3, H, W] (any numeric dtype, values 0..255; values outside are clamped) as PNG.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is not [3, H, W] or is empty.</exception>
    public static byte[] Encode(Tensor rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.dim() != 3 || rgb.shape[0] != 3 || rgb.shape[1] == 0 || rgb.shape[2] == 0)
            throw new ArgumentException(
                $"Expected an RGB image tensor of shape [3, H, W], got [{string.Join(", ", rgb.shape)}]. " +
                "Select one image of a batch with batch[i], and move channels first with permute(2, 0, 1) if needed.", nameof(rgb));
        int height = (int)rgb.shape[1], width = (int)rgb.shape[2];
        using var scope = NewDisposeScope();
        // HWC byte layout, then add an opaque alpha so Skia's RGBA8888 can take the buffer as is.
        var hwc = rgb.detach().to(ScalarType.Float32).clamp(0, 255).round().to(ScalarType.Byte).permute(1, 2, 0);
        var alpha = full(height, width, 1, 255, dtype: ScalarType.Byte);
        byte[] rgba = cat([hwc, alpha], 2).contiguous().data<byte>().ToArray();
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
