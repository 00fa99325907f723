using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Hooks;

/// <summary>
/// Keeps the gradient that flows back into a layer's output during <c>backward()</c>: the gradient of whatever was
/// differentiated (a class score) with respect to that layer's activations. Grad-CAM is built from it.
/// <code>
/// using var activations = new Hook(model.layer4);
/// using var gradients = new BackwardHook(model.layer4);
/// var logits = model.call(batch);
/// logits[0, catIndex].backward();
/// var grad = gradients.Stored;   // same shape as activations.Stored
/// </code>
/// </summary>
/// <remarks>
/// <para>PyTorch has <c>register_full_backward_hook</c>; TorchSharp 0.107 has no backward hooks at all. This class
/// builds one from two parts TorchSharp does have:</para>
/// <list type="number">
/// <item>a forward hook, which may replace a layer's output with another tensor, and</item>
/// <item>a custom autograd function (<see cref="SingleTensorFunction{T}"/>) that is the identity on the way forward and
/// whose backward receives the gradient of the layer's output, writes down a copy, and passes it on unchanged.</item>
/// </list>
/// <para>So the forward hook swaps the output <c>y</c> for <c>Tap(y)</c>, which has the same values; autograd then
/// calls <c>Tap</c>'s backward with exactly dL/dy on its way to the earlier layers. Nothing about the model's result or
/// its other gradients changes. The gradient only flows if something before the tap requires grad (the input or the
/// parameters), as with any backward pass.</para>
/// </remarks>
public sealed class BackwardHook : ModuleHook
{
    /// <summary>Hooks the gradient of <paramref name="layer"/>'s output.</summary>
    public BackwardHook(Module<Tensor, Tensor> layer, string? layerName = null) : base(layerName ?? layer.GetName())
    {
        var remover = layer.register_forward_hook((_, _, output) => GradientTap.apply(output, this));
        Registered(remover.remove);
    }

    /// <summary>Hooks the gradient of the layer called <paramref name="name"/>.</summary>
    public static BackwardHook ByName(Module model, string name) => new(ModuleLookup.FindTensorModule(model, name), name);

    /// <inheritdoc />
    protected override string NothingYetHint =>
        "Run the model and call backward() on a scalar (one class score) first; the parameters or the input must require grad.";

    internal void Record(Tensor gradient) => Store(gradient);

    /// <summary>The identity function whose backward pass reports the gradient to its <see cref="BackwardHook"/>.</summary>
    internal sealed class GradientTap : SingleTensorFunction<GradientTap>
    {
        public override string Name => "BackwardHookTap";

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            ctx.save_data("hook", vars[1]);
            return ((Tensor)vars[0]).alias();
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
        {
            ((BackwardHook)ctx.get_data("hook")).Record(grad_output);
            // One gradient per forward argument: the tensor gets grad_output unchanged, the hook object none.
            return [grad_output, null!];
        }
    }
}
