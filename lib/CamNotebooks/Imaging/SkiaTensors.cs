using System.Runtime.InteropServices;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Imaging;

/// <summary>
/// Conversions between opaque Skia bitmaps (RGBA8888) and RGB float tensors [3, H, W] with values 0..255, and the
/// resampling shared by loading and <see cref="ImageResize.Apply"/>.
/// </summary>
internal static class SkiaTensors
{
    /// <summary>Bilinear between pixels and between mipmap levels: a downscale averages the pixels it covers.</summary>
    internal static readonly SKSamplingOptions Smooth = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    internal static Tensor ToTensor(SKBitmap bitmap)
    {
        if (bitmap.ColorType != SKColorType.Rgba8888)
            throw new InvalidOperationException($"Internal: expected an RGBA8888 bitmap, got {bitmap.ColorType}.");
        int width = bitmap.Width, height = bitmap.Height;
        var rgba = new byte[width * height * 4];
        // RowBytes can exceed width*4 (padding); copy row by row so the tensor sees a packed layout.
        for (int row = 0; row < height; row++)
            Marshal.Copy(bitmap.GetPixels() + row * bitmap.RowBytes, rgba, row * width * 4, width * 4);
        CamEnvironment.Initialize();
        using var scope = NewDisposeScope();
        var hwc = tensor(rgba, [height, width, 4], ScalarType.Byte);
        return hwc[.., .., ..3].permute(2, 0, 1).to(ScalarType.Float32).contiguous().MoveToOuterDisposeScope();
    }

    internal static SKBitmap ToBitmap(Tensor rgb)
    {
        ArgumentNullException.ThrowIfNull(rgb);
        if (rgb.dim() != 3 || rgb.shape[0] != 3 || rgb.shape[1] == 0 || rgb.shape[2] == 0)
            throw new ArgumentException(
                $"Expected an RGB image tensor of shape [3, H, W], got [{string.Join(", ", rgb.shape)}].", nameof(rgb));
        int height = (int)rgb.shape[1], width = (int)rgb.shape[2];
        byte[] rgba;
        using (NewDisposeScope())
        {
            var hwc = rgb.detach().cpu().to(ScalarType.Float32).clamp(0, 255).round().to(ScalarType.Byte).permute(1, 2, 0);
            var alpha = full(height, width, 1, 255, dtype: ScalarType.Byte);
            rgba = cat([hwc, alpha], 2).contiguous().data<byte>().ToArray();
        }
        var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        for (int row = 0; row < height; row++)
            Marshal.Copy(rgba, row * width * 4, bitmap.GetPixels() + row * bitmap.RowBytes, width * 4);
        return bitmap;
    }

    /// <summary>Returns a new bitmap; the input is left as it is.</summary>
    internal static SKBitmap Resize(SKBitmap source, ImageResize resize)
    {
        switch (resize.Mode)
        {
            case ImageResizeMode.None:
                return source.Copy();
            case ImageResizeMode.Squish:
                return Draw(source, new SKRectI(0, 0, source.Width, source.Height), resize.Width, resize.Height);
            default:
                int side = Math.Min(source.Width, source.Height);
                int left = (source.Width - side) / 2, top = (source.Height - side) / 2;
                return Draw(source, new SKRectI(left, top, left + side, top + side), resize.Width, resize.Height);
        }
    }

    private static SKBitmap Draw(SKBitmap source, SKRectI sourceRect, int width, int height)
    {
        var target = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var image = SKImage.FromBitmap(source);
        // A subset image rather than a source rectangle: mipmaps are built from the crop only, and no colour from
        // outside the crop can bleed in at its edges.
        using var cropped = sourceRect == new SKRectI(0, 0, source.Width, source.Height) ? null : image.Subset(sourceRect);
        using var canvas = new SKCanvas(target);
        canvas.Clear(SKColors.White);
        canvas.DrawImage(cropped ?? image, new SKRect(0, 0, width, height), Smooth);
        return target;
    }
}
