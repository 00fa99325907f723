using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017, arXiv:1610.02391): weight each channel of a layer's activations by the average
/// gradient of the class score over that channel, add the weighted channels up, keep the positive part.
/// Works for any convolutional layer, unlike plain CAM.
/// </summary>
public static class GradCam
{
    /// <summary>Grad-CAM as a <see cref="CamMethod"/>: needs gradients, any layer.</summary>
    public static CamMethod Method { get; } = new("Grad-CAM", needsGradients: true, lastStageOnly: false,
        inputs => Formula(inputs.Activations, inputs.Gradients));

    /// <summary>Computes one Grad-CAM map per image; <paramref name="layer"/> is the module or its dotted name (e.g.
    /// <c>"layer4"</c>). Arguments and errors as <see cref="CamMethod.Compute"/>.</summary>
    public static CamResult Compute(Module<Tensor, Tensor> model, LayerReference layer, Tensor batch, int[]? classIndices = null) =>
        Method.Compute(model, layer, batch, classIndices);

    /// <summary>relu(Σ_k mean_ij(∂y/∂A_k) · A_k) for activations and gradients [N, K, h, w]; returns [N, h, w].</summary>
    public static Tensor Formula(Tensor activations, Tensor gradients)
    {
        // keepdim leaves the weights as [N, K, 1, 1], so they broadcast over every position of A.
        var channelWeights = gradients.mean([2, 3], keepdim: true);
        return (channelWeights * activations).sum(1).relu();
    }
}
