using SkiaSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Imaging;

/// <summary>
/// A picture ready to show in a notebook or save: PNG bytes plus their size. Make one from an RGB tensor with
/// <see cref="FromTensor"/>; show it with <see cref="ToHtml"/> (an inline <c>&lt;img&gt;</c> with a data URI).
/// </summary>
public sealed class DisplayImage
{
    private DisplayImage(byte[] png, int width, int height)
    {
        PngBytes = png;
        Width = width;
        Height = height;
    }

    /// <summary>The encoded PNG.</summary>
    public byte[] PngBytes { get; }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Encodes an RGB tensor [3, H, W] with values 0..255 (clamped) via <see cref="Png.Encode"/>.</summary>
    /// <exception cref="ArgumentException">The tensor is not [3, H, W].</exception>
    public static DisplayImage FromTensor(Tensor rgb)
    {
        var png = Png.Encode(rgb);
        return new DisplayImage(png, (int)rgb.shape[2], (int)rgb.shape[1]);
    }

    /// <summary>Wraps existing PNG bytes (checked to be a PNG and read for its size).</summary>
    /// <exception cref="ArgumentException">The bytes are not a PNG image.</exception>
    public static DisplayImage FromPng(byte[] png)
    {
        ArgumentNullException.ThrowIfNull(png);
        using var codec = png.Length == 0 ? null : SKCodec.Create(new MemoryStream(png));
        if (codec is null || codec.EncodedFormat != SKEncodedImageFormat.Png)
            throw new ArgumentException("The bytes are not a PNG image.", nameof(png));
        return new DisplayImage(png, codec.Info.Width, codec.Info.Height);
    }

    /// <summary>The image as a <c>data:image/png;base64,...</c> URI.</summary>
    public string ToDataUri() => "data:image/png;base64," + Convert.ToBase64String(PngBytes);

    /// <summary>An HTML <c>img</c> element showing the image inline.</summary>
    /// <param name="displayWidth">Width in CSS pixels to show it at; its own width when null. Small images (e.g. 7x7
    /// heatmaps) are drawn with crisp pixels rather than blurred when enlarged.</param>
    /// <param name="alt">Alternative text.</param>
    public string ToHtml(int? displayWidth = null, string? alt = null)
    {
        var width = displayWidth ?? Width;
        var altText = System.Net.WebUtility.HtmlEncode(alt ?? $"{Width}x{Height} image");
        return $"<img src=\"{ToDataUri()}\" width=\"{width}\" alt=\"{altText}\" style=\"image-rendering: pixelated\" />";
    }

    /// <summary>Writes the PNG to <paramref name="path"/> (via a temporary file, so no half-written file is left).</summary>
    public void Save(string path) => IO.AtomicFile.WriteAllBytes(path, PngBytes);
}
