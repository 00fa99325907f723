using System.Globalization;
using System.Net;
using System.Text;
using CamNotebooks.Heatmaps;
using static TorchSharp.torch;

namespace CamNotebooks.Display;

/// <summary>
/// A small map's raw numbers as an HTML table laid out as on the photo (top row = top of the photo), each cell shaded
/// with the colormap from low (dark) to high (light). Displays itself in a notebook.
/// </summary>
public sealed class MapTable
{
    private MapTable(float[,] values, string title, Colormap colormap) => (Values, Title, Colormap) = (values, title, colormap);

    /// <summary>The values, [row, column].</summary>
    public float[,] Values { get; }

    /// <summary>The caption.</summary>
    public string Title { get; }

    /// <summary>The shading.</summary>
    public Colormap Colormap { get; }

    /// <summary>The table of one map [h, w] (at most 32 x 32, so it stays readable).</summary>
    /// <exception cref="ArgumentException">Not one 2-D map, or too large to read as numbers.</exception>
    public static MapTable Of(Tensor map, string title, Colormap? colormap = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.dim() != 2)
            throw new ArgumentException($"Expected one map [h, w], got [{string.Join(", ", map.shape)}]. Pick one with maps[i].", nameof(map));
        if (map.shape[0] > 32 || map.shape[1] > 32)
            throw new ArgumentException($"A {map.shape[0]} x {map.shape[1]} map is too large to read as a table; show it as an overlay.", nameof(map));
        int rows = (int)map.shape[0], columns = (int)map.shape[1];
        using var flat = map.detach().cpu().to(ScalarType.Float32).contiguous();
        var data = flat.data<float>().ToArray();
        var values = new float[rows, columns];
        Buffer.BlockCopy(data, 0, values, 0, data.Length * sizeof(float));
        return new MapTable(values, title, colormap ?? Colormap.Magma);
    }

    /// <summary>The table as HTML, values with two decimals.</summary>
    public string ToHtml()
    {
        float low = Values.Cast<float>().Min(), high = Values.Cast<float>().Max();
        var html = new StringBuilder("<table style=\"border-collapse:collapse;font-family:monospace;font-size:12px\">")
            .Append($"<caption>{WebUtility.HtmlEncode(Title)}</caption>");
        for (int row = 0; row < Values.GetLength(0); row++)
        {
            html.Append("<tr>");
            for (int column = 0; column < Values.GetLength(1); column++)
            {
                float value = Values[row, column];
                double share = high > low ? (value - low) / (high - low) : 0;
                var (r, g, b) = Colormap[share];
                string ink = share > 0.6 ? "black" : "white";
                html.Append(CultureInfo.InvariantCulture,
                    $"<td style=\"background:rgb({r * 255:0},{g * 255:0},{b * 255:0});color:{ink};padding:4px 6px;text-align:right\">{value:0.00}</td>");
            }
            html.Append("</tr>");
        }
        return html.Append("</table>").ToString();
    }

    /// <inheritdoc />
    public override string ToString() => $"MapTable {Values.GetLength(0)}x{Values.GetLength(1)}: {Title}";
}
