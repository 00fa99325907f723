using CamNotebooks.Heatmaps;
using Plotly.NET;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Hooks;

/// <summary>One layer's activation statistics for one batch.</summary>
/// <param name="Layer">The layer's name.</param>
/// <param name="Batch">0 for the first batch the layer saw, then 1, 2...</param>
/// <param name="Mean">Mean of all activations of the batch.</param>
/// <param name="Std">Their standard deviation.</param>
/// <param name="NearZeroShare">Share (0..1) of activations with |a| below the threshold: dead or saturated units.</param>
public sealed record ActivationRecord(string Layer, int Batch, double Mean, double Std, double NearZeroShare);

/// <summary>
/// Records, for every batch a model trains on, the mean, the standard deviation and the share of near-zero activations
/// of chosen layers (fastai's <c>ActivationStats</c>). Healthy training keeps means and deviations steady; a rising
/// share of near-zero activations means units are dying.
/// <code>
/// using var stats = new ActivationStats(model, "layer1", "layer2", "layer3", "layer4");
/// // ... training loop calling model.call(batch) ...
/// stats.Chart()  // mean, std and % near zero per layer over batches
/// </code>
/// </summary>
public sealed class ActivationStats : IDisposable
{
    private readonly List<ActivationRecord> _history = [];
    private readonly List<Action> _removers = [];
    private readonly Dictionary<string, int> _batches = [];

    /// <summary>Watches the layers called <paramref name="layerNames"/> of <paramref name="model"/>, |a| &lt; 0.05 counting as near zero.</summary>
    public ActivationStats(Module model, params string[] layerNames) : this(model, layerNames, 0.05) { }

    /// <summary>Watches the named layers.</summary>
    /// <param name="model">The model being trained.</param>
    /// <param name="layerNames">Dotted layer names (see <see cref="ModuleLookup"/>).</param>
    /// <param name="nearZeroThreshold">|a| below this counts as near zero (fastai uses 0.05).</param>
    /// <param name="onlyWhileTraining">Skip forward passes made in evaluation mode (validation), as fastai does.</param>
    public ActivationStats(Module model, IEnumerable<string> layerNames, double nearZeroThreshold, bool onlyWhileTraining = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nearZeroThreshold);
        NearZeroThreshold = nearZeroThreshold;
        var layers = layerNames.Select(name => (name, ModuleLookup.FindTensorModule(model, name))).ToList();
        LayerNames = layers.Select(l => l.name).ToList();
        foreach (var (name, layer) in layers)
        {
            var remover = layer.register_forward_hook((module, _, output) =>
            {
                if (!onlyWhileTraining || module.training) Record(name, output);
                return null!;
            });
            _removers.Add(remover.remove);
        }
    }

    /// <summary>The watched layers, in the order given.</summary>
    public IReadOnlyList<string> LayerNames { get; }

    /// <summary>The |a| below which an activation counts as near zero.</summary>
    public double NearZeroThreshold { get; }

    /// <summary>Every record so far, in the order the batches ran.</summary>
    public IReadOnlyList<ActivationRecord> History => _history;

    /// <summary>The records of one layer, batch by batch.</summary>
    public IReadOnlyList<ActivationRecord> For(string layerName) => _history.Where(r => r.Layer == layerName).ToList();

    private void Record(string layer, Tensor output)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var values = output.detach().to(ScalarType.Float32);
        double mean = values.mean().item<float>();
        double std = values.numel() > 1 ? values.std().item<float>() : 0;
        double nearZero = (values.abs() < NearZeroThreshold).to(ScalarType.Float32).mean().item<float>();
        int batch = _batches.GetValueOrDefault(layer);
        _batches[layer] = batch + 1;
        _history.Add(new ActivationRecord(layer, batch, mean, std, nearZero));
    }

    /// <summary>plotly.js's default colour cycle, set on every trace so that a layer has one colour in all three panels (its legend entry's).</summary>
    private static readonly string[] LayerColours =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>Three side-by-side line charts (mean, std, % near zero) with one line per layer, over batches.</summary>
    public GenericChart Chart()
    {
        var panels = new (string Title, Func<ActivationRecord, double> Value)[]
            { ("mean", r => r.Mean), ("std", r => r.Std), ("% near zero", r => 100 * r.NearZeroShare) };
        var traces = new List<Trace>();
        var layers = LayerNames.ToList();
        for (int p = 0; p < panels.Length; p++)
            for (int l = 0; l < layers.Count; l++)
            {
                var records = For(layers[l]);
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

    /// <summary>Removes the hooks; the history stays readable. Safe to call twice.</summary>
    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }
}
