using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// The original class activation map (Zhou et al. 2016, arXiv:1512.04150). For a network that ends in
/// conv features → global average pooling → linear layer, the score of class c is the average over positions of
/// Σ_k w_ck · A_k(i, j); the un-averaged sum at each position is the map: <c>einsum("ck,kij->cij", W, A)</c>.
/// </summary>
/// <remarks>It needs no gradient, but only works for the layer whose pooled output feeds the final linear layer.</remarks>
public static class ClassActivationMap
{
    /// <summary>CAM as a <see cref="CamMethod"/>: no gradients, last stage only.</summary>
    public static CamMethod Method { get; } = new("CAM", needsGradients: false, lastStageOnly: true,
        inputs => Formula(inputs.Activations, inputs.HeadWeights, inputs.Classes));

    /// <summary>Computes one CAM per image of <paramref name="batch"/> (raw values, may be negative).</summary>
    /// <param name="model">The whole classifier.</param>
    /// <param name="featureLayer">The last convolutional stage, whose output [N, K, h, w] is pooled into the head: the
    /// module or its dotted name (for a ResNet: <c>"layer4"</c>).</param>
    /// <param name="head">The final <c>Linear</c> layer with K inputs, or its name (<c>"fc"</c>).</param>
    /// <param name="batch">Images [N, C, H, W].</param>
    /// <param name="classIndices">null: each image's predicted class; one index for all images; or one per image.</param>
    /// <exception cref="ArgumentException">The head is not a Linear layer, or the layer is not the one pooled into it, or
    /// the other errors listed for <see cref="CamMethod.Compute"/>.</exception>
    public static CamResult Compute(Module<Tensor, Tensor> model, LayerReference featureLayer, LayerReference head, Tensor batch,
        int[]? classIndices = null) => Method.Compute(model, featureLayer, batch, classIndices, head);

    /// <summary>Each image's map for its class: W[c] · A, from activations [N, K, h, w] and head weights [classes, K]; returns [N, h, w].</summary>
    public static Tensor Formula(Tensor activations, Tensor headWeights, IReadOnlyList<int> classes) =>
        stack(classes.Select((c, i) => einsum("ck,kij->cij", headWeights, activations[i])[c]));
}
