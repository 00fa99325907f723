using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Hooks;

/// <summary>
/// Guided backpropagation's ReLU (Springenberg et al. 2015, arXiv:1412.6806) on every ReLU module of a model while it is
/// in scope: the forward pass is unchanged, but on the way back each ReLU passes only positive gradients, and only to
/// positive inputs. Built like <see cref="BackwardHook"/>: a forward hook swaps each ReLU's output for the output of a custom
/// autograd function with that backward.
/// <code>
/// using (new GuidedRelu(model)) { var logits = model.call(input); logits[0, c].backward(); } // input.grad is guided
/// </code>
/// </summary>
public sealed class GuidedRelu : IDisposable
{
    private readonly List<Action> _removers = [];

    /// <summary>Guides every <c>ReLU</c> module of <paramref name="model"/> (they must be invoked with <c>call</c>).</summary>
    /// <exception cref="ArgumentException">The model has no ReLU module (a functional <c>relu()</c> cannot be hooked).</exception>
    public GuidedRelu(Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        foreach (var relu in model.modules().OfType<TorchSharp.Modules.ReLU>())
            _removers.Add(relu.register_forward_hook((_, input, _) => GuidedReluFunction.apply(input)).remove);
        if (_removers.Count == 0)
            throw new ArgumentException("The model has no ReLU module to guide. Guided backpropagation needs its ReLUs as " +
                                        "modules (nn.ReLU) invoked with call(x), not the functional relu().", nameof(model));
    }

    /// <summary>How many ReLU modules are guided.</summary>
    public int Count => _removers.Count;

    /// <summary>Removes the hooks: the ReLUs are ordinary again.</summary>
    public void Dispose()
    {
        foreach (var remove in _removers) remove();
        _removers.Clear();
    }

    /// <summary>relu(x) forward; backward: the incoming gradient where both it and x are positive, 0 elsewhere.</summary>
    internal sealed class GuidedReluFunction : SingleTensorFunction<GuidedReluFunction>
    {
        public override string Name => "GuidedRelu";

        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            var input = (Tensor)vars[0];
            ctx.save_for_backward([input]);
            return input.relu();
        }

        public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
        {
            var input = ctx.get_saved_variables()[0];
            return [grad_output.clamp_min(0) * (input > 0).to(grad_output.dtype)];
        }
    }
}
