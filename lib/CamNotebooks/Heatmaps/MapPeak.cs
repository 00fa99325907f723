using static TorchSharp.torch;

namespace CamNotebooks.Heatmaps;

/// <summary>
/// Where a map is highest once stretched (bilinearly, as in the pictures) to the photo's size, in pixel coordinates
/// (x to the right, y down), and a way to mark that point on the photo.
/// </summary>
/// <param name="X">Column of the peak, 0..width-1.</param>
/// <param name="Y">Row of the peak, 0..height-1.</param>
public readonly record struct MapPeak(int X, int Y)
{
    /// <summary>The peak of <paramref name="map"/> [h, w] stretched to <paramref name="height"/> x <paramref name="width"/> (first one on ties).</summary>
    /// <exception cref="ArgumentException">Not one 2-D map.</exception>
    public static MapPeak Find(Tensor map, int height, int width)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.dim() != 2)
            throw new ArgumentException($"Expected one map [h, w], got [{string.Join(", ", map.shape)}]. Pick one with maps[i].", nameof(map));
        using var scope = NewDisposeScope();
        long index = HeatmapMath.Upsample(map.detach().cpu(), height, width).argmax().item<long>();
        return new MapPeak((int)(index % width), (int)(index / width));
    }

    /// <summary>
    /// A copy of <paramref name="image"/> (RGB [3, H, W], 0..255) with the peak marked by a green square
    /// (<paramref name="size"/> pixels wide) and, when <paramref name="region"/> (bool [H, W]) is given, everything outside
    /// it darkened to 35 %.
    /// </summary>
    /// <exception cref="ArgumentException">The image is not RGB, the region's size differs, or the peak lies outside the image.</exception>
    public Tensor Mark(Tensor image, Tensor? region = null, int size = 9)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"Expected an RGB image [3, H, W], got [{string.Join(", ", image.shape)}].", nameof(image));
        int height = (int)image.shape[1], width = (int)image.shape[2];
        if (X < 0 || Y < 0 || X >= width || Y >= height)
            throw new ArgumentException($"The peak ({X}, {Y}) lies outside the {width} x {height} image: find it at the image's size.");
        if (region is not null && (region.dim() != 2 || region.shape[0] != height || region.shape[1] != width))
            throw new ArgumentException($"The region must be a mask [{height}, {width}], got [{string.Join(", ", region.shape)}].", nameof(region));
        using var scope = NewDisposeScope();
        var marked = image.detach().cpu().to(ScalarType.Float32);
        if (region is not null) marked = where(region.to(ScalarType.Bool), marked, marked * 0.35);
        var square = zeros(height, width, dtype: ScalarType.Bool);
        int half = size / 2;
        square[TensorIndex.Slice(Math.Max(Y - half, 0), Math.Min(Y + half + 1, height)), TensorIndex.Slice(Math.Max(X - half, 0), Math.Min(X + half + 1, width))] = tensor(true);
        return where(square, tensor(new float[] { 0, 255, 0 }).view(3, 1, 1), marked).MoveToOuterDisposeScope();
    }
}
