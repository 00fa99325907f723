using CamNotebooks.Imaging;
using CamNotebooks.Maps;
using static TorchSharp.torch;

namespace CamNotebooks.Heatmaps;

/// <summary>
/// A class activation map laid over its image, ready to show: PNG bytes for a picture, plus the raw map for charts with
/// hover values. It holds no tensors, so it can live in a notebook variable for as long as you like.
/// <code>
/// var overlay = HeatmapOverlay.FromResult(gradCam, 0, image);   // magma, alpha 0.6, as in the chapter
/// overlay                                                      // displays as a picture once CamEnvironment.Initialize() ran
/// overlay.ToPlotlyChart()                                      // interactive version (CamNotebooks.Display.HeatmapCharts)
/// </code>
/// </summary>
public sealed class HeatmapOverlay
{
    private HeatmapOverlay(byte[] png, byte[] imagePng, float[,] mapValues, Colormap colormap, double alpha, bool reluFirst,
        string caption, int width, int height)
    {
        Png = png;
        ImagePng = imagePng;
        MapValues = mapValues;
        Colormap = colormap;
        Alpha = alpha;
        ReluFirst = reluFirst;
        Caption = caption;
        Width = width;
        Height = height;
    }

    /// <summary>The blended picture, PNG-encoded.</summary>
    public byte[] Png { get; }

    /// <summary>The image alone, PNG-encoded (the background of the charts).</summary>
    public byte[] ImagePng { get; }

    /// <summary>The raw map at layer resolution, [row, column].</summary>
    public float[,] MapValues { get; }

    /// <summary>The colormap used.</summary>
    public Colormap Colormap { get; }

    /// <summary>The heatmap's opacity (0..1).</summary>
    public double Alpha { get; }

    /// <summary>Whether negative map values were clipped to 0 before scaling.</summary>
    public bool ReluFirst { get; }

    /// <summary>Text shown under the picture.</summary>
    public string Caption { get; }

    /// <summary>Image width in pixels.</summary>
    public int Width { get; }

    /// <summary>Image height in pixels.</summary>
    public int Height { get; }

    /// <summary>
    /// Scales <paramref name="map"/> to 0..1, stretches it to the image's size (bilinear), colours it and blends it over
    /// <paramref name="image"/>.
    /// </summary>
    /// <param name="image">RGB image [3, H, W], values 0..255 (decode a normalised network input first).</param>
    /// <param name="map">One raw map [h, w] (any resolution, typically the layer's 7 x 7).</param>
    /// <param name="colormap">Defaults to magma, as in the chapter.</param>
    /// <param name="alpha">Opacity of the heatmap; the chapter uses 0.6.</param>
    /// <param name="caption">Text under the picture.</param>
    /// <param name="reluFirst">Clip negative values to 0 before scaling (useful for raw CAM maps).</param>
    public static HeatmapOverlay Create(Tensor image, Tensor map, Colormap? colormap = null, double alpha = 0.6,
        string? caption = null, bool reluFirst = false)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(map);
        if (map.dim() != 2)
            throw new ArgumentException($"Expected one map [h, w], got [{string.Join(", ", map.shape)}]. Pick one with maps[i].", nameof(map));
        if (image.dim() != 3 || image.shape[0] != 3)
            throw new ArgumentException(
                $"Expected an RGB image [3, H, W] with values 0..255, got [{string.Join(", ", image.shape)}].", nameof(image));
        colormap ??= Colormap.Magma;
        using var scope = NewDisposeScope();
        var rawMap = map.detach().to(ScalarType.Float32).cpu().contiguous();
        var heat = HeatmapMath.Upsample(HeatmapMath.Normalize(rawMap, reluFirst), image.shape[1], image.shape[2]);
        var cpuImage = image.detach().cpu();
        var blended = HeatmapMath.Blend(cpuImage, heat, colormap, alpha);
        var values = new float[rawMap.shape[0], rawMap.shape[1]];
        Buffer.BlockCopy(rawMap.data<float>().ToArray(), 0, values, 0, values.Length * sizeof(float));
        return new HeatmapOverlay(Imaging.Png.Encode(blended), Imaging.Png.Encode(cpuImage), values, colormap, alpha, reluFirst,
            caption ?? $"{colormap.Name}, alpha {alpha:0.##}", (int)image.shape[2], (int)image.shape[1]);
    }

    /// <summary>The overlay of map <paramref name="index"/> of <paramref name="result"/> on its image, captioned with method, layer, class and probability.</summary>
    public static HeatmapOverlay FromResult(CamResult result, int index, Tensor image, Colormap? colormap = null, double alpha = 0.6,
        IReadOnlyList<string>? classNames = null)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, result.Count);
        using var map = result.Maps[index];
        // Plain CAM maps are signed; the chapter shows them min-max scaled as they are, so no ReLU by default.
        return Create(image, map, colormap, alpha, result.Describe(index, classNames));
    }

    /// <summary>A data URI of <see cref="Png"/>, usable as an &lt;img src&gt;.</summary>
    public string DataUri => "data:image/png;base64," + Convert.ToBase64String(Png);

    /// <inheritdoc />
    public override string ToString() => $"HeatmapOverlay {Width}x{Height}: {Caption}";
}
