using TorchSharp;
using static TorchSharp.torch;

namespace CamNotebooks.Hooks;

/// <summary>
/// What <see cref="Hook"/> and <see cref="BackwardHook"/> share: a registration on one layer that keeps the latest tensor
/// it saw, and that removes itself when disposed.
/// </summary>
public abstract class ModuleHook : IDisposable
{
    private Action? _remove;
    private Tensor? _stored;

    /// <summary>Creates the hook; the subclass registers itself and hands over how to undo that.</summary>
    /// <param name="layerName">Used in messages only.</param>
    protected ModuleHook(string layerName) => LayerName = layerName;

    /// <summary>The hooked layer's name, as given or as TorchSharp reports its type.</summary>
    public string LayerName { get; }

    /// <summary>How many times the hook fired (one per forward, or backward, pass through the layer).</summary>
    public int CallCount { get; private set; }

    /// <summary>Whether the hook is still registered on its layer.</summary>
    public bool IsRegistered => _remove is not null;

    /// <summary>Whether a tensor has been captured (and the hook is not disposed).</summary>
    public bool HasStored => _stored is not null;

    /// <summary>
    /// The tensor captured by the latest pass: a detached copy that belongs to the hook. It stays valid outside dispose
    /// scopes and until the next pass or <see cref="Dispose"/>; call <c>.clone()</c> to keep it longer.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing captured yet, or the hook is disposed.</exception>
    public Tensor Stored => _stored ?? throw new InvalidOperationException(_remove is null
        ? $"The hook on '{LayerName}' has been disposed, and its stored tensor with it. Read Stored inside the using block, or keep a .clone()."
        : $"The hook on '{LayerName}' has not captured anything yet. {NothingYetHint} Remember that hooks fire only through " +
          "module.call(x) (or model.call(x)), never through forward(x).");

    /// <summary>Tells the user what must happen before <see cref="Stored"/> has a value.</summary>
    protected abstract string NothingYetHint { get; }

    /// <summary>Called once by the subclass constructor with the action that unregisters the hook.</summary>
    protected void Registered(Action remove) => _remove = remove;

    /// <summary>Keeps a detached copy of <paramref name="value"/>, releasing the copy it replaces.</summary>
    protected void Store(Tensor value)
    {
        if (_remove is null) return; // a graph built before Dispose may still run backward: ignore it.
        // The copy must outlive whatever dispose scope the caller's forward or backward pass runs in.
        var copy = value.detach().clone().DetachFromDisposeScope();
        _stored?.Dispose();
        _stored = copy;
        CallCount++;
    }

    /// <summary>Removes the hook from its layer and releases the stored tensor. Safe to call twice.</summary>
    public void Dispose()
    {
        _remove?.Invoke();
        _remove = null;
        _stored?.Dispose();
        _stored = null;
        GC.SuppressFinalize(this);
    }
}
