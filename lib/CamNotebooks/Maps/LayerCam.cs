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
    /// <summary>LayerCAM as a <see cref="CamMethod"/>: needs gradients, any layer.</summary>
    public static CamMethod Method { get; } = new("LayerCAM", needsGradients: true, lastStageOnly: false,
        inputs => Formula(inputs.Activations, inputs.Gradients));

    /// <summary>Computes one LayerCAM map per image; <paramref name="layer"/> is the module or its dotted name. Arguments and
    /// errors as <see cref="CamMethod.Compute"/>.</summary>
    public static CamResult Compute(Module<Tensor, Tensor> model, LayerReference layer, Tensor batch, int[]? classIndices = null) =>
        Method.Compute(model, layer, batch, classIndices);

    /// <summary>relu(Σ_k relu(g_k) ⊙ A_k) for activations and gradients [N, K, h, w]; returns [N, h, w].</summary>
    public static Tensor Formula(Tensor activations, Tensor gradients) => (gradients.relu() * activations).sum(1).relu();
}
