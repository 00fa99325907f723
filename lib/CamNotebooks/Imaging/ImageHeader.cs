using SkiaSharp;

namespace CamNotebooks.Imaging;

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
