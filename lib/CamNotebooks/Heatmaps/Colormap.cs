using System.Globalization;
using static TorchSharp.torch;

namespace CamNotebooks.Heatmaps;

/// <summary>
/// A 256-colour lookup table that turns numbers in 0..1 into colours, with matplotlib's exact colours and rounding, so a
/// heatmap here looks like the book's.
/// </summary>
/// <remarks>
/// <para>magma and viridis: perceptually uniform maps by Nathaniel J. Smith, Stefan van der Walt and (viridis) Eric Firing,
/// released under CC0 (public domain); tables copied from matplotlib's <c>_cm_listed.py</c> into <c>magma.txt</c> and
/// <c>viridis.txt</c> beside this file, embedded in the assembly (data, not code).</para>
/// <para>jet: matplotlib's piecewise-linear definition (<c>_jet_data</c> in matplotlib's <c>_cm.py</c>, matplotlib licence,
/// BSD-style), sampled at 256 points as matplotlib's LinearSegmentedColormap does. Jet is not perceptually uniform: its
/// bright bands invent edges that are not in the data. It is here because many Grad-CAM papers use it.</para>
/// <para>Lookup as matplotlib: value v picks entry floor(v·256), clamped to 0..255, so 1.0 gets the last colour.</para>
/// </remarks>
public sealed class Colormap
{
    private readonly float[] _rgb; // 256 rows of R, G, B in 0..1

    private Colormap(string name, float[] rgb)
    {
        Name = name;
        _rgb = rgb;
    }

    /// <summary>matplotlib's magma (black → purple → orange → pale yellow), the chapter's choice.</summary>
    public static Colormap Magma { get; } = new("magma", EmbeddedTable("magma.txt"));

    /// <summary>matplotlib's viridis (purple → teal → yellow), matplotlib's default.</summary>
    public static Colormap Viridis { get; } = new("viridis", EmbeddedTable("viridis.txt"));

    /// <summary>matplotlib's jet (dark blue → cyan → yellow → dark red).</summary>
    public static Colormap Jet { get; } = new("jet", JetTable());

    /// <summary>The colormap's matplotlib name.</summary>
    public string Name { get; }

    /// <summary>Number of entries (256).</summary>
    public int Count => _rgb.Length / 3;

    /// <summary>The colour (components 0..1) matplotlib gives <paramref name="value"/>; values outside 0..1 are clamped.</summary>
    public (float R, float G, float B) this[double value]
    {
        get
        {
            int i = EntryIndex(value) * 3;
            return (_rgb[i], _rgb[i + 1], _rgb[i + 2]);
        }
    }

    /// <summary>Colours a map of values in 0..1, shape [H, W], into an RGB image [3, H, W] with values 0..255 (float32).</summary>
    public Tensor Apply(Tensor values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.dim() != 2)
            throw new ArgumentException($"Expected a map [H, W], got [{string.Join(", ", values.shape)}].", nameof(values));
        using var scope = NewDisposeScope();
        using var table = tensor(_rgb, Count, 3).to(values.device);
        var index = (values.detach().to(ScalarType.Float64).nan_to_num(0) * Count).floor().clamp(0, Count - 1).to(ScalarType.Int64);
        var rgb = table.index_select(0, index.flatten()).reshape(values.shape[0], values.shape[1], 3).permute(2, 0, 1);
        return (rgb * 255).contiguous().MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    private int EntryIndex(double value) =>
        double.IsNaN(value) ? 0 : (int)Math.Clamp(Math.Floor(value * Count), 0, Count - 1);

    /// <summary>Reads a 256-line table of "r g b" rows (lines starting with # are comments) embedded from this folder.</summary>
    private static float[] EmbeddedTable(string file)
    {
        using var stream = typeof(Colormap).Assembly.GetManifestResourceStream($"CamNotebooks.Heatmaps.{file}")
            ?? throw new InvalidOperationException($"Internal: the colormap table {file} is not embedded in CamNotebooks.dll.");
        using var reader = new StreamReader(stream);
        var values = reader.ReadToEnd().Split('\n').Where(line => line.Length > 0 && line[0] != '#')
            .SelectMany(line => line.Split(' ')).Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return values.Length == 256 * 3 ? values : throw new InvalidOperationException($"Internal: {file} holds {values.Length} values, not 256 x 3.");
    }

    private static float[] JetTable()
    {
        // (x, value) breakpoints per channel, straight from matplotlib's _jet_data (continuous: y0 == y1 everywhere).
        double[][] red = [[0, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1, 0.5]];
        double[][] green = [[0, 0], [0.125, 0], [0.375, 1], [0.64, 1], [0.91, 0], [1, 0]];
        double[][] blue = [[0, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1, 0]];
        var table = new float[256 * 3];
        for (int i = 0; i < 256; i++)
        {
            double x = i / 255.0;
            table[3 * i] = (float)Interpolate(red, x);
            table[3 * i + 1] = (float)Interpolate(green, x);
            table[3 * i + 2] = (float)Interpolate(blue, x);
        }
        return table;
    }

    private static double Interpolate(double[][] points, double x)
    {
        for (int k = 1; k < points.Length; k++)
            if (x <= points[k][0])
            {
                double t = (x - points[k - 1][0]) / (points[k][0] - points[k - 1][0]);
                return points[k - 1][1] + t * (points[k][1] - points[k - 1][1]);
            }
        return points[^1][1];
    }
}
