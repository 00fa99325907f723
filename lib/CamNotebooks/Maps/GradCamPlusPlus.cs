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
    /// <summary>Computes one Grad-CAM++ map per image; arguments and errors as <see cref="GradCam.Compute(Module{Tensor,Tensor},Module{Tensor,Tensor},Tensor,int[])"/>.</summary>
    public static CamResult Compute(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, Tensor batch, int[]? classIndices = null) =>
        GradientMaps.Compute("Grad-CAM++", model, layer, null, batch, classIndices, Formula);

    /// <summary>Same, with the layer given by its dotted name.</summary>
    public static CamResult Compute(Module<Tensor, Tensor> model, string layerName, Tensor batch, int[]? classIndices = null) =>
        GradientMaps.Compute("Grad-CAM++", model, GradientMaps.Find(model, layerName), layerName, batch, classIndices, Formula);

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
