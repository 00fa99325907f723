using static TorchSharp.torch.nn;

namespace CamNotebooks.Hooks;

/// <summary>
/// Turns off <c>requires_grad</c> on every parameter of a model for the length of a <c>using</c> block and turns it back
/// on afterwards for exactly the parameters that had it.
/// </summary>
/// <remarks>
/// Grad-CAM needs the gradient with respect to one layer's activations, never the parameters' gradients. With
/// parameters frozen, autograd records nothing for the layers before the hooked one and saves nothing for weight
/// gradients after it, so the backward pass is about as cheap as the part of the forward pass it retraces.
/// </remarks>
internal sealed class FrozenParameters : IDisposable
{
    private readonly List<TorchSharp.Modules.Parameter> _frozen;

    public FrozenParameters(Module model)
    {
        _frozen = model.parameters().Where(p => p.requires_grad).ToList();
        foreach (var parameter in _frozen) parameter.requires_grad = false;
    }

    public void Dispose()
    {
        foreach (var parameter in _frozen) parameter.requires_grad = true;
        _frozen.Clear();
    }
}
