using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace CamNotebooks.Heatmaps;

/// <summary>The three steps from a raw map to a picture: scale to 0..1, stretch to the image's size, blend over the image.</summary>
public static class HeatmapMath
{
    /// <summary>
    /// Min-max scales each map to 0..1 (the smallest value becomes 0, the largest 1), as matplotlib's imshow does by
    /// default. Works on one map [h, w] or a stack [N, h, w]; a constant map becomes all zeros.
    /// </summary>
    /// <param name="maps">Raw maps.</param>
    /// <param name="reluFirst">Clip negative values to 0 first, so that only evidence <em>for</em> the class is shown.</param>
    /// <exception cref="ArgumentException">The maps hold NaN or infinite values (their min-max scale would be a blank picture).</exception>
    public static Tensor Normalize(Tensor maps, bool reluFirst = false)
    {
        RequireMaps(maps, nameof(maps));
        using var scope = NewDisposeScope();
        var values = maps.detach().to(ScalarType.Float32);
        long nonFinite = values.isfinite().logical_not().sum().item<long>();
        if (nonFinite > 0)
            throw new ArgumentException(
                $"The map holds {nonFinite} NaN or infinite value(s); scaled to 0..1 it would show as a blank picture. A NaN pixel " +
                "in the input image, or a division by zero in the map's formula, usually causes it.", nameof(maps));
        if (reluFirst) values = values.relu();
        var flat = values.reshape(-1, values.shape[^2] * values.shape[^1]);
        var low = flat.amin([1], keepdim: true);
        var range = flat.amax([1], keepdim: true) - low;
        // A flat map carries no information; dividing by a zero range would give NaN everywhere.
        var scaled = where(range > 0, (flat - low) / where(range > 0, range, ones_like(range)), zeros_like(flat));
        return scaled.reshape(values.shape).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Stretches maps [h, w] or [N, h, w] to <paramref name="height"/> x <paramref name="width"/> with bilinear
    /// interpolation, corners not aligned (what matplotlib's <c>interpolation='bilinear'</c> looks like, and PyTorch's default).
    /// </summary>
    public static Tensor Upsample(Tensor maps, long height, long width)
    {
        RequireMaps(maps, nameof(maps));
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        using var scope = NewDisposeScope();
        var batch = maps.dim() == 2 ? maps.unsqueeze(0) : maps;
        var stretched = interpolate(batch.detach().to(ScalarType.Float32).unsqueeze(1), [height, width],
            mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        return (maps.dim() == 2 ? stretched.squeeze(0) : stretched).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Colours <paramref name="heat"/> (values 0..1, [H, W], same size as the image) and lays it over
    /// <paramref name="image"/> (RGB [3, H, W], 0..255): result = (1 - alpha) · image + alpha · colour, as matplotlib
    /// composites an <c>alpha</c> layer. Returns RGB [3, H, W], float32, 0..255.
    /// </summary>
    public static Tensor Blend(Tensor image, Tensor heat, Colormap colormap, double alpha = 0.6)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(heat);
        ArgumentNullException.ThrowIfNull(colormap);
        if (alpha is < 0 or > 1 || double.IsNaN(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "alpha is the heatmap's opacity and must be in 0..1.");
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException(
                $"Expected an RGB image [3, H, W] with values 0..255, got [{string.Join(", ", image.shape)}].", nameof(image));
        if (heat.dim() != 2 || heat.shape[0] != image.shape[1] || heat.shape[1] != image.shape[2])
            throw new ArgumentException(
                $"The heat map [{string.Join(", ", heat.shape)}] must match the image's size [{image.shape[1]}, {image.shape[2]}]. " +
                "Stretch it first with HeatmapMath.Upsample.", nameof(heat));
        using var scope = NewDisposeScope();
        var colours = colormap.Apply(heat);
        var blended = image.detach().to(ScalarType.Float32) * (1 - alpha) + colours * alpha;
        return blended.MoveToOuterDisposeScope();
    }

    private static void RequireMaps(Tensor maps, string name)
    {
        ArgumentNullException.ThrowIfNull(maps, name);
        if (maps.dim() is not (2 or 3) || maps.shape[^1] == 0 || maps.shape[^2] == 0)
            throw new ArgumentException($"Expected a map [h, w] or maps [N, h, w], got [{string.Join(", ", maps.shape)}].", name);
    }
}
