using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Hooks;

/// <summary>Finds a model's layers by the dotted names PyTorch and TorchSharp give them (<c>layer4</c>, <c>layer4.1.conv2</c>).</summary>
public static class ModuleLookup
{
    /// <summary>Returns the sub-module called <paramref name="name"/>, as listed by <c>model.named_modules()</c>.</summary>
    /// <exception cref="ArgumentException">No such name; the message lists the names that exist.</exception>
    public static Module Find(Module model, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        foreach (var (candidate, module) in model.named_modules())
            if (candidate == name) return module;
        throw new ArgumentException(
            $"The model has no layer named '{name}'. Available names: {string.Join(", ", Names(model))}.", nameof(name));
    }

    /// <summary>
    /// Returns the sub-module called <paramref name="name"/> as a tensor-to-tensor module, the kind that forward hooks on
    /// activations need.
    /// </summary>
    /// <exception cref="ArgumentException">No such name, or the layer does not map one tensor to one tensor.</exception>
    public static Module<Tensor, Tensor> FindTensorModule(Module model, string name) => AsTensorModule(Find(model, name), name);

    /// <summary>The dotted name of <paramref name="layer"/> inside <paramref name="model"/>.</summary>
    /// <exception cref="ArgumentException">The layer is not part of the model (a common slip: a layer of another model instance).</exception>
    public static string NameOf(Module model, Module layer)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layer);
        if (ReferenceEquals(model, layer)) return "(the whole model)";
        foreach (var (name, module) in model.named_modules())
            if (ReferenceEquals(module, layer)) return name;
        throw new ArgumentException(
            $"The layer ({layer.GetName()}) is not part of this model. Pass one of the model's own layers, e.g. by name: " +
            $"{string.Join(", ", Names(model).Take(12))}{(Names(model).Count() > 12 ? ", ..." : "")}.", nameof(layer));
    }

    /// <summary>All dotted layer names of <paramref name="model"/>, in TorchSharp's order.</summary>
    public static IEnumerable<string> Names(Module model) => model.named_modules().Select(entry => entry.name);

    internal static Module<Tensor, Tensor> AsTensorModule(Module module, string name) =>
        module as Module<Tensor, Tensor> ?? throw new ArgumentException(
            $"Layer '{name}' is a {module.GetType().Name}, which does not map one tensor to one tensor, so its output cannot be " +
            "hooked here. Choose a convolution, a block or a Sequential stage.", nameof(name));
}
