using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>
/// A layer's activations [N, K, h, w], the gradients of chosen class scores at them, and the scores. backward stops at the layer,
/// so no parameter's <c>.grad</c> changes; not autograd.grad, whose libtorch errors end the process (backward's are exceptions).
/// </summary>
internal sealed record LayerGradients(Tensor Activations, Tensor Gradients, Tensor Logits)
{
    /// <summary>
    /// One pass in eval mode (or training mode, if asked; the mode is given back), differentiating the sum over images n of the
    /// score of class <paramref name="classes"/>[n].
    /// </summary>
    public static LayerGradients Of(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, Tensor batch, int[] classes, bool train = false)
    {
        Tensor? leaf = null;
        // The layer's output becomes a fresh leaf that requires grad; the model gets a clone, so no in-place operation reaches it.
        var remover = layer.register_forward_hook((_, _, output) =>
        {
            leaf = output.detach().clone().requires_grad_(true).DetachFromDisposeScope();
            return leaf.clone();
        });
        try
        {
            using var mode = train ? ModelModeScope.Train(model) : ModelModeScope.Eval(model);
            using var gradients = enable_grad();
            var logits = model.call(batch.detach());
            logits.gather(1, tensor(classes, ScalarType.Int64).unsqueeze(1)).sum().backward(inputs: [leaf!]);
            return new(leaf!.detach(), leaf!.grad!.detach(), logits.detach());
        }
        finally { remover.remove(); }
    }
}
