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
/// stats.Chart()  // mean, std and % near zero per layer over batches (CamNotebooks.Display.ActivationCharts)
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

    /// <summary>Removes the hooks; the history stays readable. Safe to call twice.</summary>
    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }
}
