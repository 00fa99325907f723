using CamNotebooks.Hooks;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// The original class activation map (Zhou et al. 2016, arXiv:1512.04150). For a network that ends in
/// conv features → global average pooling → linear layer, the score of class c is the average over positions of
/// Σ_k w_ck · A_k(i, j); the un-averaged sum at each position is the map: <c>einsum("ck,kij->cij", W, A)</c>.
/// </summary>
/// <remarks>It needs no gradient, but only works for the layer whose pooled output feeds the final linear layer. Thread
/// rules as for <see cref="GradCam"/>: concurrent calls run one after another.</remarks>
public static class ClassActivationMap
{
    /// <summary>Computes one CAM per image of <paramref name="batch"/> (raw values, may be negative).</summary>
    /// <param name="model">The whole classifier.</param>
    /// <param name="featureLayer">The last convolutional stage, whose output [N, K, h, w] is pooled into the head.</param>
    /// <param name="head">The final <c>Linear</c> layer with K inputs.</param>
    /// <param name="batch">Images [N, C, H, W].</param>
    /// <param name="classIndices">null: each image's predicted class; one index for all images; or one per image.</param>
    /// <exception cref="ArgumentException">The head is not a Linear layer, or its inputs do not match the feature channels,
    /// or the other errors listed for <see cref="GradCam"/>.</exception>
    public static CamResult Compute(Module<Tensor, Tensor> model, Module<Tensor, Tensor> featureLayer, Module head, Tensor batch,
        int[]? classIndices = null) => Compute(model, featureLayer, null, head, batch, classIndices);

    /// <summary>Same, with both layers given by their dotted names (for a ResNet: <c>"layer4"</c> and <c>"fc"</c>).</summary>
    public static CamResult Compute(Module<Tensor, Tensor> model, string featureLayerName, string headName, Tensor batch,
        int[]? classIndices = null) =>
        Compute(model, ModuleLookup.FindTensorModule(model, featureLayerName), featureLayerName,
            ModuleLookup.Find(model, headName), batch, classIndices);

    private static CamResult Compute(Module<Tensor, Tensor> model, Module<Tensor, Tensor> featureLayer, string? featureLayerName,
        Module head, Tensor batch, int[]? classIndices)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(featureLayer);
        ArgumentNullException.ThrowIfNull(batch);
        var linear = head as Linear ?? throw new ArgumentException(
            $"CAM needs the final Linear layer as its head, got {head?.GetType().Name ?? "null"}. If the head is a Sequential, " +
            "pass its last Linear; for other heads use Grad-CAM, which needs no head.", nameof(head));
        ModuleLookup.NameOf(model, head!); // the head must belong to this model too
        featureLayerName ??= ModuleLookup.NameOf(model, featureLayer);
        using var scope = NewDisposeScope();
        var probe = LayerProbe.Run(model, featureLayer, featureLayerName, batch, classIndices, withGradients: false);
        using var noGrad = no_grad();
        var weight = linear.weight!.detach(); // [classes, K]
        if (weight.shape[1] != probe.Activations.shape[1])
            throw new ArgumentException(
                $"The head takes {weight.shape[1]} features but layer '{featureLayerName}' has {probe.Activations.shape[1]} channels. " +
                "CAM needs the layer whose pooled output feeds that Linear layer directly.", nameof(featureLayer));
        var maps = stack(probe.Classes.Select((c, i) => einsum("ck,kij->cij", weight, probe.Activations[i])[c]));
        return LayerProbe.Result("CAM", featureLayerName, maps, probe);
    }
}
