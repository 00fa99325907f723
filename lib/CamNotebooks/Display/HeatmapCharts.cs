using CamNotebooks.Heatmaps;
using Plotly.NET;
using XPlot.Plotly;

namespace CamNotebooks.Display;

/// <summary>
/// Interactive versions of a <see cref="HeatmapOverlay"/>: the photo as background, the map as a semi-transparent
/// heatmap on top (smoothed like the picture), and the map's raw value under the mouse.
/// </summary>
/// <remarks>
/// The map stays at layer resolution (e.g. 7 x 7 cells), each cell placed over the patch of pixels it summarises, so a
/// chart is a few kilobytes plus the photo's PNG.
/// </remarks>
public static class HeatmapCharts
{
    /// <summary>An interactive Plotly.NET chart of <paramref name="overlay"/>: the image, the map over it, its raw values under the mouse.</summary>
    public static GenericChart ToPlotlyChart(this HeatmapOverlay overlay) => Plotly(overlay);

    /// <summary>The same chart with XPlot.Plotly (display it with <see cref="XPlotHtml"/> or through the registered formatter).</summary>
    public static PlotlyChart ToXPlotChart(this HeatmapOverlay overlay) => XPlot(overlay);

    /// <summary>A plotly.js colorscale ([position, "rgb(r,g,b)"] pairs) sampling <paramref name="colormap"/> at <paramref name="stops"/> points.</summary>
    public static object[][] ToPlotlyColorscale(this Colormap colormap, int stops = 32)
    {
        ArgumentNullException.ThrowIfNull(colormap);
        ArgumentOutOfRangeException.ThrowIfLessThan(stops, 2);
        return Enumerable.Range(0, stops).Select(s =>
        {
            double position = (double)s / (stops - 1);
            var (r, g, b) = colormap[position];
            return new object[] { position, $"rgb({Math.Round(r * 255)},{Math.Round(g * 255)},{Math.Round(b * 255)})" };
        }).ToArray();
    }

    /// <summary>A Plotly.NET chart of <paramref name="overlay"/>.</summary>
    public static GenericChart Plotly(HeatmapOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        var cells = Cells(overlay);
        var image = PlotlyFigure.Trace("image", ("source", "data:image/png;base64," + Convert.ToBase64String(overlay.ImagePng)),
            ("hoverinfo", "skip"), ("name", "image"));
        var heatmap = PlotlyFigure.Trace("heatmap", ("z", cells.Z), ("x0", cells.X0), ("dx", cells.DX), ("y0", cells.Y0),
            ("dy", cells.DY), ("zmin", cells.ZMin), ("zmax", cells.ZMax), ("zsmooth", "best"), ("opacity", overlay.Alpha),
            ("colorscale", overlay.Colormap.ToPlotlyColorscale()), ("name", "map"),
            ("hovertemplate", "x %{x:.0f}, y %{y:.0f}<br>value %{z:.4g}<extra></extra>"), ("colorbar", ColorBar));
        var layout = PlotlyFigure.Layout(("title", new { text = ChartTitles.Wrap(overlay.Caption, overlay.Width + 160) }), ("width", overlay.Width + 160),
            ("height", overlay.Height + 170),
            ("xaxis", new { range = new[] { -0.5, overlay.Width - 0.5 }, showgrid = false, zeroline = false }),
            ("yaxis", new { range = new[] { overlay.Height - 0.5, -0.5 }, showgrid = false, zeroline = false, scaleanchor = "x" }));
        return PlotlyFigure.Chart([image, heatmap], layout);
    }

    /// <summary>An XPlot.Plotly chart of <paramref name="overlay"/> (the photo is a layout image: XPlot has no image trace).</summary>
    public static PlotlyChart XPlot(HeatmapOverlay overlay)
    {
        ArgumentNullException.ThrowIfNull(overlay);
        var cells = Cells(overlay);
        var heatmap = new Heatmap
        {
            z = cells.Z, x0 = cells.X0, dx = cells.DX, y0 = cells.Y0, dy = cells.DY, zmin = cells.ZMin, zmax = cells.ZMax,
            zsmooth = "best", opacity = overlay.Alpha, colorscale = overlay.Colormap.ToPlotlyColorscale(), name = "map",
            colorbar = new HorizontalColorbar(),
        };
        var layout = new LayoutWithImages
        {
            title = ChartTitles.Wrap(overlay.Caption, overlay.Width + 160), width = overlay.Width + 160, height = overlay.Height + 170,
            xaxis = new Xaxis { range = new[] { -0.5, overlay.Width - 0.5 }, showgrid = false, zeroline = false },
            // Square pixels whatever the chart's size: the photo keeps its aspect ratio.
            yaxis = new AnchoredYaxis { range = new[] { overlay.Height - 0.5, -0.5 }, showgrid = false, zeroline = false, scaleanchor = "x" },
            images = [new
            {
                source = "data:image/png;base64," + Convert.ToBase64String(overlay.ImagePng), xref = "x", yref = "y",
                x = -0.5, y = -0.5, sizex = overlay.Width, sizey = overlay.Height, sizing = "stretch", layer = "below",
            }],
        };
        var chart = global::XPlot.Plotly.Chart.Plot(heatmap, layout);
        chart.WithSize(overlay.Width + 160, overlay.Height + 170);
        return chart;
    }

    /// <summary>HTML for an XPlot chart that draws offline (see <see cref="PlotlyDisplay"/>), for <c>display(HTML(...))</c>.</summary>
    public static string XPlotHtml(PlotlyChart chart) => PlotlyDisplay.ToHtml(chart ?? throw new ArgumentNullException(nameof(chart)));

    /// <summary>XPlot's layout lacks plotly.js's <c>images</c> attribute; its JSON serialiser picks up this extra property.</summary>
    public sealed class LayoutWithImages : XPlot.Plotly.Layout.Layout
    {
        /// <summary>plotly.js layout images (source, xref, yref, x, y, sizex, sizey, sizing, layer...).</summary>
        public object[]? images { get; set; }
    }

    /// <summary>
    /// The colour bar of both charts: under the picture, across its width, with five numbered ticks. Beside the picture
    /// (plotly's default) it lost its numbers once a phone's narrow column squeezed the chart.
    /// </summary>
    public static object ColorBar { get; } = new
    {
        orientation = "h", x = 0.5, xanchor = "center", y = -0.15, yanchor = "top", len = 1, thickness = 14, nticks = 5,
    };

    /// <summary>XPlot's colour bar lacks plotly.js's <c>orientation</c>; this one is <see cref="ColorBar"/>.</summary>
    public sealed class HorizontalColorbar : Colorbar
    {
        /// <summary>Creates the horizontal colour bar.</summary>
        public HorizontalColorbar()
        {
            x = 0.5; xanchor = "center"; y = -0.15; yanchor = "top"; len = 1; thickness = 14; nticks = 5;
        }

        /// <summary>"h": the bar lies under the plot.</summary>
        public string orientation { get; set; } = "h";
    }

    /// <summary>XPlot's y axis lacks plotly.js's <c>scaleanchor</c>, which ties its scale to the x axis (square pixels).</summary>
    public sealed class AnchoredYaxis : Yaxis
    {
        /// <summary>The axis whose scale this one follows, e.g. <c>"x"</c>.</summary>
        public string? scaleanchor { get; set; }
    }

    private sealed record CellGrid(float[][] Z, double X0, double DX, double Y0, double DY, double ZMin, double ZMax);

    private static CellGrid Cells(HeatmapOverlay overlay)
    {
        var values = overlay.MapValues;
        int rows = values.GetLength(0), columns = values.GetLength(1);
        var z = Enumerable.Range(0, rows).Select(r => Enumerable.Range(0, columns).Select(c => values[r, c]).ToArray()).ToArray();
        // Image pixel i covers i-0.5..i+0.5; map cell j covers pixels j*dx-0.5 .. (j+1)*dx-0.5, so its centre is (j+0.5)*dx-0.5.
        double dx = (double)overlay.Width / columns, dy = (double)overlay.Height / rows;
        double min = values.Cast<float>().Min(), max = values.Cast<float>().Max();
        if (overlay.ReluFirst) min = Math.Max(0, min);
        return new CellGrid(z, dx / 2 - 0.5, dx, dy / 2 - 0.5, dy, min, Math.Max(max, min));
    }
}
