using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// A layer of a model, given either as the module itself or by its dotted name (<c>"body.layer4"</c>). Both convert
/// implicitly, so every map method has one <c>Compute</c> that accepts either.
/// </summary>
public sealed class LayerReference
{
    private readonly Module<Tensor, Tensor>? _module;
    private readonly string? _name;

    private LayerReference(Module<Tensor, Tensor>? module, string? name) => (_module, _name) = (module, name);

    /// <summary>The layer called <paramref name="name"/> in the model it is used with.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public static implicit operator LayerReference(string name) =>
        new(null, name ?? throw new ArgumentNullException(nameof(name), "Give the layer's dotted name, e.g. \"body.layer4\"."));

    /// <summary>The layer <paramref name="module"/>, which must belong to the model it is used with.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="module"/> is null.</exception>
    public static implicit operator LayerReference(Module<Tensor, Tensor> module) =>
        new(module ?? throw new ArgumentNullException(nameof(module), "Give one of the model's layers (or its dotted name)."), null);

    /// <summary>The module and its dotted name inside <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">No layer of that name, or the module is not part of <paramref name="model"/>.</exception>
    internal (Module<Tensor, Tensor> Module, string Name) Resolve(Module model) =>
        _module is null
            ? (ModuleLookup.FindTensorModule(model, _name!), _name!)
            : (_module, ModuleLookup.NameOf(model, _module));

    /// <inheritdoc />
    public override string ToString() => _name ?? _module!.GetName();
}
