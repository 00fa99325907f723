using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Hooks;

/// <summary>
/// Puts a model in evaluation mode (or training mode) for the length of a <c>using</c> block, then gives every layer back
/// the mode it had, even when an exception leaves the block.
/// </summary>
/// <remarks>
/// Interpretation must run in evaluation mode: dropout would randomise the map and batch normalisation would mix the
/// images of a batch. Changing a model's mode behind its owner's back is a classic bug, hence the restore: a model that
/// was training keeps training afterwards. Layers may have had different modes (a frozen BatchNorm in a training
/// model), so each layer's own flag is recorded, not just the model's.
/// </remarks>
public sealed class ModelModeScope : IDisposable
{
    private readonly Module _model;
    private readonly bool _rootWasTraining;
    private readonly List<(int Depth, Module Layer, bool WasTraining)> _layers;
    private bool _disposed;

    /// <summary>Records every layer's mode, then switches the whole model to evaluation mode.</summary>
    public static ModelModeScope Eval(Module model) => new(model, training: false);

    /// <summary>Records every layer's mode, then switches the whole model to training mode.</summary>
    public static ModelModeScope Train(Module model) => new(model, training: true);

    private ModelModeScope(Module model, bool training)
    {
        _model = model ?? throw new ArgumentNullException(nameof(model));
        _rootWasTraining = model.training;
        _layers = model.named_modules()
            .Select(entry => (entry.name.Count(c => c == '.'), entry.module, entry.module.training))
            .ToList();
        model.train(training);
    }

    /// <summary>Gives every layer back the mode it had when the scope began.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        // train(bool) recurses into children, so set parents first and let deeper layers overwrite.
        _model.train(_rootWasTraining);
        foreach (var (_, layer, wasTraining) in _layers.OrderBy(entry => entry.Depth))
            if (layer.training != wasTraining) layer.train(wasTraining);
    }
}
