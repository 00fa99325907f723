using SkiaSharp;
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
        // The same C# interleaving loop the loader uses: torch's permute + byte cast on a strided tensor was the slow part.
        using var bitmap = SkiaTensors.ToBitmap(rgb);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}
