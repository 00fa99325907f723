using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Evaluation;

/// <summary>
/// Replaces a module's learned weights by fresh random ones, as the model-randomisation test of Adebayo et al. 2018
/// ("Sanity Checks for Saliency Maps", arXiv:1810.03292) does.
/// </summary>
public static class WeightRandomization
{
    /// <summary>
    /// Re-initialises every parameter of <paramref name="module"/> in place, from a seeded generator: weights of convolutions
    /// and linear layers (2-D and more) He-normal (std √(2 / fan-in), the initialisation ResNets are trained from), batch-norm
    /// scales 1, all biases and batch-norm shifts 0, running means 0 and running variances 1 (so each batch norm passes its
    /// input through). The learned function is gone; the architecture stays.
    /// </summary>
    public static void Reinitialize(Module module, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(module);
        var generator = new Generator(seed);
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (name, parameter) in module.named_parameters())
        {
            if (parameter.dim() > 1)
            {
                long fanIn = parameter.shape.Skip(1).Aggregate(1L, (a, b) => a * b);
                parameter.copy_(randn(parameter.shape, generator: generator) * Math.Sqrt(2.0 / fanIn));
            }
            else if (name.EndsWith("weight", StringComparison.Ordinal)) parameter.fill_(1);
            else parameter.zero_();
        }
        foreach (var (name, buffer) in module.named_buffers())
        {
            if (name.EndsWith("running_mean", StringComparison.Ordinal)) buffer.zero_();
            else if (name.EndsWith("running_var", StringComparison.Ordinal)) buffer.fill_(1);
        }
    }
}
