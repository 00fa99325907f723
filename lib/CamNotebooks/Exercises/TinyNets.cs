using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>Hand-built networks with fixed weights: small exact cases the checks run before the real ResNet.</summary>
internal static class TinyNets
{
    /// <summary>conv: 1x1, 1→1 channel, weight 2, no bias; relu: in place. Hooking conv shows whether a copy survives the in-place ReLU.</summary>
    public static Sequential InPlaceNet()
    {
        var conv = Conv2d(1, 1, 1, bias: false);
        using (no_grad()) conv.weight!.fill_(2);
        return Sequential(("conv", conv), ("relu", ReLU(inplace: true)));
    }

    /// <summary>[[-1, 2, 0.5], [3, -4, 1.5]] as [1, 1, 2, 3]: negative values so the in-place ReLU changes them.</summary>
    public static Tensor InPlaceInput() => tensor(new float[] { -1, 2, 0.5f, 3, -4, 1.5f }).reshape(1, 1, 2, 3);

    /// <summary>
    /// features: 1x1 conv 1→3 channels (weights 1, -1, 0.5; biases 0, 0.5, -1); relu; global average pool; flatten;
    /// fc: Linear(3→3) with an asymmetric weight. Three classes, so "the other class" is not just "not this one".
    /// </summary>
    public static Sequential GapNet()
    {
        var conv = Conv2d(1, 3, 1);
        var fc = Linear(3, 3);
        using (no_grad())
        {
            conv.weight!.copy_(tensor(new float[] { 1, -1, 0.5f }).reshape(3, 1, 1, 1));
            conv.bias!.copy_(tensor(new float[] { 0, 0.5f, -1 }));
            fc.weight!.copy_(tensor(new float[] { 1, 2, -1, 3, -1, 0.5f, -2, 1, 1 }).reshape(3, 3));
            fc.bias!.copy_(tensor(new float[] { 0.1f, -0.2f, 0.3f }));
        }
        return Sequential(("features", conv), ("relu", ReLU()), ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", fc));
    }

    /// <summary>A 1x2x3 image for <see cref="GapNet"/>: x[i, j] = 1.5·(3i + j) - 3 (values -3..4.5).</summary>
    public static Tensor GapInput() => (arange(6, dtype: ScalarType.Float32) * 1.5f - 3).reshape(1, 1, 2, 3);

    /// <summary>
    /// A model whose feature layer passes its input through, so the activations CAM sees are exactly the batch given:
    /// features (identity) → pool → flatten → fc with <paramref name="weights"/> [C, K] and no bias.
    /// </summary>
    public static Sequential IdentityFeatures(Tensor weights)
    {
        var fc = Linear(weights.shape[1], weights.shape[0], hasBias: false);
        using (no_grad()) fc.weight!.copy_(weights);
        return Sequential(("features", Identity()), ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", fc));
    }

    /// <summary>Activations [3, 2, 3] with both signs, for the hand-built CAM case.</summary>
    public static Tensor CamActivations() =>
        tensor(new float[] { 1, -2, 0.5f, 3, 0, -1, 2, 1, -3, 0.5f, 4, 1, -1, 2, 2, 0, -0.5f, 1 }).reshape(3, 2, 3);

    /// <summary>An asymmetric 3x3 head weight (so its transpose gives other maps).</summary>
    public static Tensor CamWeights() => tensor(new float[] { 0.5f, -1, 2, 1, 0.25f, -0.5f, -2, 1.5f, 1 }).reshape(3, 3);
}
