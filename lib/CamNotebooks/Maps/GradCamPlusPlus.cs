using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// Grad-CAM++ (Chattopadhay et al. 2018, arXiv:1710.11063): like Grad-CAM, but each position's positive gradient is
/// weighted by a coefficient α, so that several objects of the same class all show up instead of the largest one.
/// </summary>
/// <remarks>
/// With the paper's exponential trick, the higher derivatives are powers of the first one (g = ∂y/∂A), and
/// α_ij = g² / (2 g² + Σ_ab A_ab · g³) (eq. 19, the sum over all positions of the channel), α = 0 where g = 0.
/// Channel weight w_k = Σ_ij α_ij · relu(g_ij); map = relu(Σ_k w_k A_k).
/// </remarks>
public static class GradCamPlusPlus
{
    /// <summary>Grad-CAM++ as a <see cref="CamMethod"/>: needs gradients, any layer.</summary>
    public static CamMethod Method { get; } = new("Grad-CAM++", needsGradients: true, lastStageOnly: false,
        inputs => Formula(inputs.Activations, inputs.Gradients));

    /// <summary>Computes one Grad-CAM++ map per image; <paramref name="layer"/> is the module or its dotted name. Arguments and
    /// errors as <see cref="CamMethod.Compute"/>.</summary>
    public static CamResult Compute(Module<Tensor, Tensor> model, LayerReference layer, Tensor batch, int[]? classIndices = null) =>
        Method.Compute(model, layer, batch, classIndices);

    /// <summary>The Grad-CAM++ map for activations and gradients [N, K, h, w]; returns [N, h, w].</summary>
    public static Tensor Formula(Tensor activations, Tensor gradients)
    {
        var g2 = gradients.pow(2);
        var g3 = g2 * gradients;
        var denominator = 2 * g2 + activations.sum([2, 3], keepdim: true) * g3;
        var safeDenominator = where(denominator != 0, denominator, ones_like(denominator));
        var alpha = where(gradients != 0, g2 / safeDenominator, zeros_like(g2));
        var channelWeights = (alpha * gradients.relu()).sum([2, 3], keepdim: true);
        return (channelWeights * activations).sum(1).relu();
    }
}
