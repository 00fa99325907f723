using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// LayerCAM (Jiang et al. 2021, IEEE TIP 30, "LayerCAM: Exploring Hierarchical Class Activation Maps for Localization"):
/// instead of one weight per channel, weight every position by its own positive gradient,
/// map = relu(Σ_k relu(∂y/∂A_k) ⊙ A_k). Keeps fine detail, so it suits earlier layers where Grad-CAM blurs.
/// </summary>
public static class LayerCam
{
    /// <summary>Computes one LayerCAM map per image; arguments and errors as <see cref="GradCam.Compute(Module{Tensor,Tensor},Module{Tensor,Tensor},Tensor,int[])"/>.</summary>
    public static CamResult Compute(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, Tensor batch, int[]? classIndices = null) =>
        GradientMaps.Compute("LayerCAM", model, layer, null, batch, classIndices, Formula);

    /// <summary>Same, with the layer given by its dotted name.</summary>
    public static CamResult Compute(Module<Tensor, Tensor> model, string layerName, Tensor batch, int[]? classIndices = null) =>
        GradientMaps.Compute("LayerCAM", model, GradientMaps.Find(model, layerName), layerName, batch, classIndices, Formula);

    /// <summary>relu(Σ_k relu(g_k) ⊙ A_k) for activations and gradients [N, K, h, w]; returns [N, h, w].</summary>
    public static Tensor Formula(Tensor activations, Tensor gradients) => (gradients.relu() * activations).sum(1).relu();
}
