using CamNotebooks.Imaging;
using static TorchSharp.torch;

namespace CamNotebooks.Heatmaps;

/// <summary>
/// One map over one photo, as a picture: scaled to 0..1, stretched bilinearly to the photo's size, coloured and blended.
/// <see cref="Blend"/> gives the RGB tensor (for <see cref="ImageGrid"/>), <see cref="Show"/> a displayable image.
/// </summary>
public static class MapOverlay
{
    /// <summary>RGB [3, H, W] (0..255) of <paramref name="map"/> [h, w] over <paramref name="image"/> [3, H, W].</summary>
    /// <exception cref="ArgumentException">The image is not RGB [3, H, W] or the map is not one [h, w] map.</exception>
    public static Tensor Blend(Tensor image, Tensor map, Colormap? colormap = null, double alpha = 0.6)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(map);
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException($"Expected an RGB image [3, H, W] with values 0..255, got [{string.Join(", ", image.shape)}]. Decode a network input first.", nameof(image));
        if (map.dim() != 2)
            throw new ArgumentException($"Expected one map [h, w], got [{string.Join(", ", map.shape)}]. Pick one with maps[i].", nameof(map));
        using var scope = NewDisposeScope();
        var heat = HeatmapMath.Upsample(HeatmapMath.Normalize(map.detach().cpu()), image.shape[1], image.shape[2]);
        return HeatmapMath.Blend(image.detach().cpu(), heat, colormap ?? Colormap.Magma, alpha).MoveToOuterDisposeScope();
    }

    /// <summary><see cref="Blend"/> as a picture a notebook displays.</summary>
    public static DisplayImage Show(Tensor image, Tensor map, Colormap? colormap = null, double alpha = 0.6)
    {
        using var blended = Blend(image, map, colormap, alpha);
        return DisplayImage.FromTensor(blended);
    }
}
