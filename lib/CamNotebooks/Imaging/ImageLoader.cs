using SkiaSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Imaging;

/// <summary>
/// Loads JPEG, PNG (and the other formats Skia decodes: GIF first frame, WebP, BMP, ICO) into RGB float tensors
/// [3, H, W] with values 0..255, the layout the model's preprocessing expects.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>The EXIF orientation is applied, so the tensor is the picture as a viewer shows it (a phone photo stored
/// sideways with Orientation=6 comes out upright, width and height swapped).</item>
/// <item>Grey images are expanded to three equal channels.</item>
/// <item>Transparency is composited on white (a logo on a transparent background looks as it does on a web page);
/// the alpha channel is then dropped.</item>
/// <item>Colour values are the stored ones: no colour-profile conversion, as in PIL, which the pretrained models saw.</item>
/// <item>Before any pixel is decoded, the declared size is checked against <see cref="MaxPixels"/>, so a tiny file that
/// claims to be gigantic is refused instead of exhausting memory.</item>
/// <item>Truncated or corrupt data is refused (<see cref="ImageLoadException"/>), not returned half grey.</item>
/// </list>
/// </remarks>
public static class ImageLoader
{
    /// <summary>The largest image accepted, in pixels (100 megapixels: 400 MB once decoded to RGBA).</summary>
    public const long MaxPixels = 100_000_000;

    /// <summary>Loads an image file as an RGB float tensor [3, H, W], values 0..255, optionally resized.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="resize">The resize to apply after orientation; <see cref="ImageResize.None"/> when null.</param>
    /// <exception cref="ImageLoadException">The file is missing, unreadable, empty, not an image, truncated, corrupt or too large.</exception>
    public static Tensor Load(string path, ImageResize? resize = null)
    {
        using var bitmap = DecodeBitmap(ReadFile(path), path);
        return ToResizedTensor(bitmap, resize);
    }

    /// <summary>Loads an encoded image held in memory.</summary>
    /// <param name="encoded">The bytes of a JPEG, PNG or other supported file.</param>
    /// <param name="sourceName">A name for error messages (e.g. the URL or file name the bytes came from).</param>
    /// <param name="resize">The resize to apply after orientation; <see cref="ImageResize.None"/> when null.</param>
    /// <exception cref="ImageLoadException">The bytes are empty, not an image, truncated, corrupt or too large.</exception>
    public static Tensor Load(byte[] encoded, string sourceName, ImageResize? resize = null)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        using var bitmap = DecodeBitmap(encoded, sourceName);
        return ToResizedTensor(bitmap, resize);
    }

    /// <summary>Loads an encoded image from a stream (read to its end; the stream is not closed).</summary>
    /// <param name="stream">A readable stream positioned at the start of the image.</param>
    /// <param name="sourceName">A name for error messages.</param>
    /// <param name="resize">The resize to apply after orientation; <see cref="ImageResize.None"/> when null.</param>
    /// <exception cref="ImageLoadException">Reading fails, or the data is empty, not an image, truncated, corrupt or too large.</exception>
    public static Tensor Load(Stream stream, string sourceName, ImageResize? resize = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        byte[] encoded;
        try
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            encoded = buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or NotSupportedException or ObjectDisposedException)
        {
            throw new ImageLoadException(sourceName, $"the stream could not be read ({e.Message}).", e);
        }
        return Load(encoded, sourceName, resize);
    }

    /// <summary>Reads what an image file declares (size, format, orientation) without decoding its pixels.</summary>
    /// <exception cref="ImageLoadException">The file is missing, unreadable, empty or not an image.</exception>
    public static ImageHeader ReadHeader(string path) => ReadHeader(ReadFile(path), path);

    /// <summary>Reads what an in-memory image declares (size, format, orientation) without decoding its pixels.</summary>
    /// <exception cref="ImageLoadException">The bytes are empty or not an image.</exception>
    public static ImageHeader ReadHeader(byte[] encoded, string sourceName)
    {
        ArgumentNullException.ThrowIfNull(encoded);
        using var data = SKData.CreateCopy(RequireNotEmpty(encoded, sourceName));
        using var codec = OpenCodec(data, sourceName);
        return HeaderOf(codec);
    }

    private static Tensor ToResizedTensor(SKBitmap bitmap, ImageResize? resize)
    {
        if (resize is null || resize.Mode == ImageResizeMode.None) return SkiaTensors.ToTensor(bitmap);
        using var resized = SkiaTensors.Resize(bitmap, resize);
        return SkiaTensors.ToTensor(resized);
    }

    private static byte[] ReadFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (FileNotFoundException e)
        {
            throw new ImageLoadException(path, $"the file does not exist (looked in '{Path.GetFullPath(path)}').", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new ImageLoadException(path, $"its folder does not exist ('{Path.GetFullPath(path)}').", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ImageLoadException(path, $"the file could not be read ({e.Message}).", e);
        }
    }

    private static byte[] RequireNotEmpty(byte[] encoded, string source) => encoded.Length > 0
        ? encoded
        : throw new ImageLoadException(source, "it is empty (0 bytes).");

    private static SKCodec OpenCodec(SKData data, string source)
    {
        // The codec takes ownership of the stream (and frees it with itself or on failure).
        var codec = SKCodec.Create(new SKMemoryStream(data), out var result);
        if (codec is null)
            throw new ImageLoadException(source, result == SKCodecResult.IncompleteInput
                ? $"only {data.Size} bytes, too few to recognise: a truncated image header, or not an image at all."
                : $"it is not an image in a supported format (JPEG, PNG, GIF, WebP, BMP, ICO); the decoder said {result}.");
        return codec;
    }

    private static ImageHeader HeaderOf(SKCodec codec)
    {
        var header = new ImageHeader(codec.Info.Width, codec.Info.Height, codec.EncodedFormat, codec.EncodedOrigin,
            codec.Info.AlphaType != SKAlphaType.Opaque);
        return header.SwapsAxes ? header with { Width = header.Height, Height = header.Width } : header;
    }

    /// <summary>Decodes, checks, composites on white and orients: the result is an opaque RGBA8888 bitmap as displayed.</summary>
    private static SKBitmap DecodeBitmap(byte[] encoded, string source)
    {
        using var data = SKData.CreateCopy(RequireNotEmpty(encoded, source));
        using var codec = OpenCodec(data, source);
        int width = codec.Info.Width, height = codec.Info.Height;
        CheckDeclaredSize(width, height, source);

        // Premultiplied alpha so that drawing it on white below is a correct "over" composite.
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        var decoded = new SKBitmap(info);
        var result = codec.GetPixels(info, decoded.GetPixels());
        if (result != SKCodecResult.Success)
        {
            decoded.Dispose();
            throw new ImageLoadException(source, result == SKCodecResult.IncompleteInput
                ? "the data ends before the image does (truncated file)."
                : $"the pixel data is corrupt or unsupported; the decoder said {result}.");
        }

        var header = HeaderOf(codec);
        // The common case (an upright opaque photo) needs no second pass.
        if (header.Origin == SKEncodedOrigin.TopLeft && codec.Info.AlphaType == SKAlphaType.Opaque) return decoded;
        using var _ = decoded;
        var output = new SKBitmap(new SKImageInfo(header.Width, header.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(output);
        canvas.Clear(SKColors.White);
        canvas.SetMatrix(OrientationMatrix(codec.EncodedOrigin, width, height));
        // Default sampling is nearest: with a matrix made of quarter turns and flips every pixel lands exactly on one.
        using var image = SKImage.FromBitmap(decoded);
        canvas.DrawImage(image, 0, 0, new SKSamplingOptions(SKFilterMode.Nearest));
        canvas.Flush();
        return output;
    }

    /// <summary>Refuses empty sizes and sizes above <see cref="MaxPixels"/>, before any pixel memory is allocated.</summary>
    internal static void CheckDeclaredSize(int width, int height, string source)
    {
        if (width <= 0 || height <= 0)
            throw new ImageLoadException(source, $"it declares an empty size ({width}x{height}).");
        if ((long)width * height > MaxPixels)
            throw new ImageLoadException(source,
                $"it declares {width}x{height} pixels ({(long)width * height / 1e6:0.#} megapixels), more than the " +
                $"{MaxPixels / 1_000_000} megapixels accepted. Downscale it first, or check that the file is not corrupt.");
    }

    /// <summary>
    /// Maps stored coordinates (x, y) of a <paramref name="width"/> x <paramref name="height"/> image to displayed
    /// ones, per the EXIF orientation values 1-8 (TIFF 6.0 tag 274).
    /// </summary>
    internal static SKMatrix OrientationMatrix(SKEncodedOrigin origin, int width, int height)
    {
        // SKMatrix(scaleX, skewX, transX, skewY, scaleY, transY, 0, 0, 1): x' = sx*x + kx*y + tx, y' = ky*x + sy*y + ty.
        return origin switch
        {
            SKEncodedOrigin.TopRight => new SKMatrix(-1, 0, width, 0, 1, 0, 0, 0, 1),          // mirror left-right
            SKEncodedOrigin.BottomRight => new SKMatrix(-1, 0, width, 0, -1, height, 0, 0, 1), // turn 180 degrees
            SKEncodedOrigin.BottomLeft => new SKMatrix(1, 0, 0, 0, -1, height, 0, 0, 1),       // mirror top-bottom
            SKEncodedOrigin.LeftTop => new SKMatrix(0, 1, 0, 1, 0, 0, 0, 0, 1),                // transpose
            SKEncodedOrigin.RightTop => new SKMatrix(0, -1, height, 1, 0, 0, 0, 0, 1),         // turn 90 degrees clockwise
            SKEncodedOrigin.RightBottom => new SKMatrix(0, -1, height, -1, 0, width, 0, 0, 1), // transverse
            SKEncodedOrigin.LeftBottom => new SKMatrix(0, 1, 0, -1, 0, width, 0, 0, 1),        // turn 90 degrees anticlockwise
            _ => SKMatrix.Identity,
        };
    }
}

/// <summary>What an image file declares before any pixel is decoded.</summary>
/// <param name="Width">Width in pixels as displayed, i.e. after the EXIF orientation is applied.</param>
/// <param name="Height">Height in pixels as displayed, i.e. after the EXIF orientation is applied.</param>
/// <param name="Format">The encoded format (JPEG, PNG, ...).</param>
/// <param name="Origin">The EXIF orientation (<see cref="SKEncodedOrigin.TopLeft"/> when there is none).</param>
/// <param name="HasAlpha">Whether the image may contain transparency.</param>
public sealed record ImageHeader(int Width, int Height, SKEncodedImageFormat Format, SKEncodedOrigin Origin, bool HasAlpha)
{
    /// <summary>Whether the orientation swaps width and height (the image is stored rotated by 90 degrees).</summary>
    public bool SwapsAxes => Origin is SKEncodedOrigin.LeftTop or SKEncodedOrigin.RightTop
        or SKEncodedOrigin.RightBottom or SKEncodedOrigin.LeftBottom;
}
