using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017, arXiv:1610.02391): weight each channel of a layer's activations by the average
/// gradient of the class score over that channel, add the weighted channels up, keep the positive part.
/// Works for any convolutional layer, unlike plain CAM.
/// </summary>
/// <remarks>
/// Threads: every map method (CAM, Grad-CAM, Grad-CAM++, LayerCAM) may be called from any thread, and calls made at the
/// same time run one after another, because each registers a hook on a module that other calls may share. Do not run
/// the same model yourself (<c>model.call</c>, training) on another thread while a map is computed: that pass would
/// fire the map's hook. libtorch already uses every core within one call.
/// </remarks>
public static class GradCam
{
    /// <summary>Computes one Grad-CAM map per image of <paramref name="batch"/>.</summary>
    /// <param name="model">Any classifier mapping [N, C, H, W] to class scores [N, classes].</param>
    /// <param name="layer">A layer of <paramref name="model"/> whose output is [N, K, h, w].</param>
    /// <param name="batch">Images, preprocessed as the model expects.</param>
    /// <param name="classIndices">null: each image's predicted class; one index for all images; or one per image.</param>
    /// <exception cref="ArgumentException">Batch not 4-D, layer not in the model or not 4-D, wrong number of class indices.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A class index outside the model's classes.</exception>
    public static CamResult Compute(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, Tensor batch, int[]? classIndices = null) =>
        GradientMaps.Compute("Grad-CAM", model, layer, null, batch, classIndices, Formula);

    /// <summary>Same, with the layer given by its dotted name (e.g. <c>"layer4"</c>).</summary>
    public static CamResult Compute(Module<Tensor, Tensor> model, string layerName, Tensor batch, int[]? classIndices = null) =>
        GradientMaps.Compute("Grad-CAM", model, GradientMaps.Find(model, layerName), layerName, batch, classIndices, Formula);

    /// <summary>relu(Σ_k mean_ij(∂y/∂A_k) · A_k) for activations and gradients [N, K, h, w]; returns [N, h, w].</summary>
    public static Tensor Formula(Tensor activations, Tensor gradients)
    {
        // keepdim leaves the weights as [N, K, 1, 1], so they broadcast over every position of A.
        var channelWeights = gradients.mean([2, 3], keepdim: true);
        return (channelWeights * activations).sum(1).relu();
    }
}
