using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Imaging;

/// <summary>How <see cref="ImageResize"/> changes an image's size.</summary>
public enum ImageResizeMode
{
    /// <summary>Keep the image as it is.</summary>
    None,

    /// <summary>Stretch the whole image to exactly the target width and height; the aspect ratio is not kept.</summary>
    Squish,

    /// <summary>
    /// Take the largest centred square and scale it to the target size: the same as resizing the short side to the
    /// target and cropping the long side in the middle (what fastai's <c>Resize(224)</c> does on validation images),
    /// done with a single resampling.
    /// </summary>
    CenterCrop,
}

/// <summary>
/// A resize to apply when loading an image (<see cref="ImageLoader"/>) or to an RGB tensor (<see cref="Apply"/>).
/// Resampling is bilinear with mipmaps, so strong downscaling averages pixels instead of skipping them (no aliasing).
/// </summary>
public sealed record ImageResize
{
    private ImageResize(ImageResizeMode mode, int width, int height)
    {
        Mode = mode;
        Width = width;
        Height = height;
    }

    /// <summary>What kind of resize.</summary>
    public ImageResizeMode Mode { get; }

    /// <summary>Target width in pixels (0 for <see cref="ImageResizeMode.None"/>).</summary>
    public int Width { get; }

    /// <summary>Target height in pixels (0 for <see cref="ImageResizeMode.None"/>).</summary>
    public int Height { get; }

    /// <summary>No resize: the image keeps its size.</summary>
    public static ImageResize None { get; } = new(ImageResizeMode.None, 0, 0);

    /// <summary>Stretch to a <paramref name="size"/> x <paramref name="size"/> square (aspect ratio not kept).</summary>
    public static ImageResize Squish(int size) => Squish(size, size);

    /// <summary>Stretch to exactly <paramref name="width"/> x <paramref name="height"/> (aspect ratio not kept).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive.</exception>
    public static ImageResize Squish(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        return new(ImageResizeMode.Squish, width, height);
    }

    /// <summary>Scale the short side to <paramref name="size"/> and cut the long side to it, keeping the centre.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not positive.</exception>
    public static ImageResize CenterCrop(int size)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(size);
        return new(ImageResizeMode.CenterCrop, size, size);
    }

    /// <summary>Applies this resize to an RGB tensor [3, H, W] with values 0..255; returns a new float32 tensor.</summary>
    /// <remarks>The values are rounded to bytes on the way through Skia, so the output holds whole numbers.</remarks>
    /// <exception cref="ArgumentException">The tensor is not [3, H, W].</exception>
    public Tensor Apply(Tensor rgb)
    {
        using var bitmap = SkiaTensors.ToBitmap(rgb);
        using var resized = SkiaTensors.Resize(bitmap, this);
        return SkiaTensors.ToTensor(resized);
    }

    /// <inheritdoc />
    public override string ToString() => Mode switch
    {
        ImageResizeMode.None => "no resize",
        ImageResizeMode.Squish => $"squish to {Width}x{Height}",
        _ => $"center crop to {Width}x{Height}",
    };
}
