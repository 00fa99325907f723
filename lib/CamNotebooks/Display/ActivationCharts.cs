using CamNotebooks.Hooks;
using Plotly.NET;

namespace CamNotebooks.Display;

/// <summary>The chart of an <see cref="ActivationStats"/> recording (the hooks themselves live in the core, this is its picture).</summary>
public static class ActivationCharts
{
    /// <summary>plotly.js's default colour cycle, set on every trace so that a layer has one colour in all three panels (its legend entry's).</summary>
    private static readonly string[] LayerColours =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>Three side-by-side line charts (mean, std, % near zero) with one line per layer, over batches.</summary>
    public static GenericChart Chart(this ActivationStats stats)
    {
        ArgumentNullException.ThrowIfNull(stats);
        var panels = new (string Title, Func<ActivationRecord, double> Value)[]
            { ("mean", r => r.Mean), ("std", r => r.Std), ("% near zero", r => 100 * r.NearZeroShare) };
        var traces = new List<Trace>();
        var layers = stats.LayerNames.ToList();
        for (int p = 0; p < panels.Length; p++)
            for (int l = 0; l < layers.Count; l++)
            {
                var records = stats.For(layers[l]);
                traces.Add(PlotlyFigure.Trace("scatter",
                    ("x", records.Select(r => r.Batch).ToArray()), ("y", records.Select(panels[p].Value).ToArray()),
                    ("mode", "lines"), ("name", layers[l]), ("legendgroup", layers[l]), ("showlegend", p == 0),
                    ("line", new { color = LayerColours[l % LayerColours.Length] }),
                    ("xaxis", p == 0 ? "x" : $"x{p + 1}"), ("yaxis", p == 0 ? "y" : $"y{p + 1}")));
            }
        // Each panel is named above it rather than by a y-axis title, which would sit over the panel to its left.
        var annotations = panels.Select((panel, p) => new
        {
            text = panel.Title, showarrow = false, xref = $"x{(p == 0 ? "" : p + 1)} domain", yref = $"y{(p == 0 ? "" : p + 1)} domain",
            x = 0.5, y = 1.0, xanchor = "center", yanchor = "bottom", font = new { size = 14 },
        }).ToArray();
        var layout = PlotlyFigure.Layout(
            ("grid", new { rows = 1, columns = 3, pattern = "independent", xgap = 0.22 }), ("height", 380),
            ("margin", new { l = 50, r = 20, t = 80, b = 120 }),
            ("title", new { text = "Activation statistics per batch" }), ("annotations", annotations),
            // Below the panels and their "batch" titles: beside them it would take a phone's width from the panels.
            ("legend", new { orientation = "h", yanchor = "top", y = -0.32 }));
        for (int p = 0; p < panels.Length; p++)
            layout.SetProperty($"xaxis{(p == 0 ? "" : $"{p + 1}")}", new { title = new { text = "batch" } });
        return PlotlyFigure.Chart(traces, layout);
    }
}
