using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Hooks;

/// <summary>
/// A forward hook that keeps a copy of a layer's output (its activations) each time the model runs. Use it in a
/// <c>using</c> block so it is removed even if something throws:
/// <code>
/// using var hook = new Hook(model.layer4);
/// using (torch.no_grad()) model.call(batch);
/// var activations = hook.Stored;   // [N, C, H, W]
/// </code>
/// </summary>
/// <remarks>
/// The counterpart of PyTorch's <c>register_forward_hook</c> with <c>output.detach().clone()</c>. Detaching keeps the
/// copy out of the autograd graph; cloning makes sure later in-place operations (an in-place ReLU) cannot change it.
/// In TorchSharp the copy is also what keeps the values alive: <c>Sequential</c> disposes each intermediate output as
/// soon as the next layer has used it, so a hook that kept <c>output</c> itself would soon hold a dead tensor.
/// </remarks>
public sealed class Hook : ModuleHook
{
    /// <summary>Hooks the output of <paramref name="layer"/>.</summary>
    /// <param name="layer">Any tensor-to-tensor layer. It must be run through <c>call</c>, as Sequential and well-written models do.</param>
    /// <param name="layerName">A name for messages; defaults to the layer's type.</param>
    public Hook(Module<Tensor, Tensor> layer, string? layerName = null) : base(layerName ?? layer.GetName())
    {
        var remover = layer.register_forward_hook((_, _, output) => { Store(output); return null!; });
        Registered(remover.remove);
    }

    private Hook(string layerName) : base(layerName) { }

    /// <summary>Hooks the layer called <paramref name="name"/> (see <see cref="ModuleLookup.Find"/>).</summary>
    public static Hook ByName(Module model, string name) => new(ModuleLookup.FindTensorModule(model, name), name);

    /// <summary>Hooks any single-input layer whose output is a tensor, whatever its input type.</summary>
    public static Hook Create<TInput>(Module<TInput, Tensor> layer, string? layerName = null)
    {
        var hook = new Hook(layerName ?? layer.GetName());
        var remover = layer.register_forward_hook((_, _, output) => { hook.Store(output); return null!; });
        hook.Registered(remover.remove);
        return hook;
    }

    /// <inheritdoc />
    protected override string NothingYetHint => "Run the model on a batch first.";
}
