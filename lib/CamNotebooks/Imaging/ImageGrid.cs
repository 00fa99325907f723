using SkiaSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Imaging;

/// <summary>
/// Lays several RGB images side by side (in rows of <c>columns</c>), each with an optional caption underneath, for showing
/// photos and their heatmaps together: <see cref="Display"/> for a notebook (captions as text), <see cref="Compose"/> for
/// one picture on a white background (captions drawn in).
/// </summary>
public static class ImageGrid
{
    /// <summary>Builds the grid as an RGB float tensor [3, H, W] with values 0..255.</summary>
    /// <param name="images">RGB tensors [3, h, w], values 0..255; sizes may differ (each is centred in its cell, cells
    /// are as large as the largest image).</param>
    /// <param name="captions">One caption per image (null or empty for none), or null for no captions at all.
    /// Captions wider than a cell are cut with an ellipsis.</param>
    /// <param name="columns">Images per row; all in one row when 0.</param>
    /// <param name="padding">White space in pixels around and between cells.</param>
    /// <param name="fontSize">Caption text size in pixels.</param>
    /// <exception cref="ArgumentException">No images, a tensor that is not [3, h, w], or a caption count that does not match.</exception>
    /// <exception cref="InvalidOperationException">Captions were given but no font can be found (see <see cref="CaptionFont"/>).</exception>
    public static Tensor Compose(IReadOnlyList<Tensor> images, IReadOnlyList<string?>? captions = null, int columns = 0,
        int padding = 4, float fontSize = 14)
    {
        CheckArguments(images, captions, columns, padding, fontSize);

        bool anyCaption = captions?.Any(c => !string.IsNullOrEmpty(c)) ?? false;
        var bitmaps = new List<SKBitmap>(images.Count);
        try
        {
            foreach (var image in images) bitmaps.Add(SkiaTensors.ToBitmap(image));
            int cellWidth = bitmaps.Max(b => b.Width), imageHeight = bitmaps.Max(b => b.Height);
            using var font = new SKFont(anyCaption ? CaptionFont.Typeface : SKTypeface.Default, fontSize);
            int captionHeight = anyCaption ? (int)Math.Ceiling(font.Spacing) + padding : 0;
            int cellHeight = imageHeight + captionHeight;
            int perRow = columns == 0 ? bitmaps.Count : Math.Min(columns, bitmaps.Count);
            int rows = (bitmaps.Count + perRow - 1) / perRow;
            int width = padding + perRow * (cellWidth + padding), height = padding + rows * (cellHeight + padding);

            using var grid = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
            using (var canvas = new SKCanvas(grid))
            using (var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true })
            {
                canvas.Clear(SKColors.White);
                for (int i = 0; i < bitmaps.Count; i++)
                {
                    int cellLeft = padding + i % perRow * (cellWidth + padding);
                    int cellTop = padding + i / perRow * (cellHeight + padding);
                    var bitmap = bitmaps[i];
                    using var image = SKImage.FromBitmap(bitmap);
                    canvas.DrawImage(image, cellLeft + (cellWidth - bitmap.Width) / 2, cellTop + (imageHeight - bitmap.Height) / 2,
                        new SKSamplingOptions(SKFilterMode.Nearest));
                    var caption = captions?[i];
                    if (string.IsNullOrEmpty(caption)) continue;
                    caption = FitText(caption, font, cellWidth);
                    float baseline = cellTop + imageHeight + padding - font.Metrics.Ascent;
                    canvas.DrawText(caption, cellLeft + cellWidth / 2f, baseline, SKTextAlign.Center, font, ink);
                }
            }
            return SkiaTensors.ToTensor(grid);
        }
        finally
        {
            foreach (var bitmap in bitmaps) bitmap.Dispose();
        }
    }

    /// <summary>
    /// The images ready to show, each with its caption as text under it (see <see cref="FigureGrid"/>): captions are never
    /// drawn into the pictures, so they are not cut and stay readable on a phone. <see cref="Compose"/> gives one picture
    /// with the captions drawn in, for saving.
    /// </summary>
    /// <param name="images">RGB tensors [3, h, w], values 0..255.</param>
    /// <param name="captions">One caption per image (null or empty for none), or null for no captions at all.</param>
    /// <param name="columns">Images per row on a wide page; all in one row when 0. Narrow pages wrap the rows.</param>
    /// <param name="padding">Space in CSS pixels around each image.</param>
    /// <param name="fontSize">Caption text size in CSS pixels.</param>
    /// <exception cref="ArgumentException">No images, a tensor that is not [3, h, w], or a caption count that does not match.</exception>
    public static FigureGrid Display(IReadOnlyList<Tensor> images, IReadOnlyList<string?>? captions = null, int columns = 0,
        int padding = 4, float fontSize = 14)
    {
        CheckArguments(images, captions, columns, padding, fontSize);
        foreach (var image in images)
            if (image is null || image.dim() != 3 || image.shape[0] != 3)
                throw new ArgumentException($"Every image must be an RGB tensor [3, h, w]; got {(image is null ? "null" : $"[{string.Join(", ", image.shape)}]")}.", nameof(images));
        var pictures = images.Select(DisplayImage.FromTensor).ToList();
        return new FigureGrid(pictures, captions ?? new string?[images.Count], columns == 0 ? images.Count : Math.Min(columns, images.Count),
            padding, fontSize);
    }

    /// <summary>The checks <see cref="Compose"/> and <see cref="Display"/> share: images, one caption per image, sizes.</summary>
    private static void CheckArguments(IReadOnlyList<Tensor> images, IReadOnlyList<string?>? captions, int columns, int padding, float fontSize)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0) throw new ArgumentException("The grid needs at least one image.", nameof(images));
        if (captions is not null && captions.Count != images.Count)
            throw new ArgumentException($"Got {captions.Count} captions for {images.Count} images; give one per image " +
                "(null or empty for none).", nameof(captions));
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fontSize);
    }

    private static string FitText(string text, SKFont font, int maxWidth)
    {
        if (font.MeasureText(text) <= maxWidth) return text;
        for (int length = text.Length - 1; length > 0; length--)
        {
            var candidate = text[..length] + "…";
            if (font.MeasureText(candidate) <= maxWidth) return candidate;
        }
        return "…";
    }
}
