using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>
/// Hand-built networks with fixed weights: small exact cases the exercise checks run before the real ResNet, and the
/// library's unit tests work out by hand. The one home of such networks (the tests have none of their own).
/// </summary>
internal static class TinyNets
{
    /// <summary>conv: 1x1, 1→1 channel, weight 2, no bias; relu: in place. Hooking conv shows whether a copy survives the in-place ReLU.</summary>
    public static Sequential InPlaceNet()
    {
        var conv = Conv2d(1, 1, 1, bias: false);
        Set(conv.weight!, 2);
        return Sequential(("conv", conv), ("relu", ReLU(inplace: true)));
    }

    /// <summary>[[-1, 2, 0.5], [3, -4, 1.5]] as [1, 1, 2, 3]: negative values so the in-place ReLU changes them.</summary>
    public static Tensor InPlaceInput() => tensor(new float[] { -1, 2, 0.5f, 3, -4, 1.5f }).reshape(1, 1, 2, 3);

    /// <summary>
    /// features: 1x1 conv 1→2 channels, channel 0 = x, channel 1 = 0.5 - x; relu; global average pool; flatten;
    /// fc: Linear(2→2) with W = [[1, 2], [3, -1]], b = [0.1, -0.2]. The CAM setting of Zhou et al., small enough to work
    /// its maps out by hand (the unit tests do).
    /// </summary>
    public static Sequential GapNet() => Gap([1, -1], [0, 0.5f], [1, 2, 3, -1], [0.1f, -0.2f]);

    /// <summary>The <see cref="GapNet"/> input: one 1x4x4 image with x[i, j] = 4i + j - 6 (values -6..9).</summary>
    public static Tensor GapInput() => arange(16, dtype: ScalarType.Float32).sub(6).reshape(1, 1, 4, 4);

    /// <summary>
    /// features: 1x1 conv 1→3 channels (weights 1, -1, 0.5; biases 0, 0.5, -1); relu; global average
    /// pool; flatten; fc: Linear(3→3) with an asymmetric weight. Three classes, so "the other class" is not just "not this one".
    /// </summary>
    public static Sequential ThreeClassGapNet() =>
        Gap([1, -1, 0.5f], [0, 0.5f, -1], [1, 2, -1, 3, -1, 0.5f, -2, 1, 1], [0.1f, -0.2f, 0.3f]);

    /// <summary>features: 1x1 conv 1→K; relu; global average pool; flatten; fc: Linear(K→K) (K conv weights).</summary>
    private static Sequential Gap(float[] convWeights, float[] convBiases, float[] fcWeights, float[] fcBiases)
    {
        int k = convWeights.Length;
        var (conv, fc) = (Conv2d(1, k, 1), Linear(k, k));
        Set(conv.weight!, convWeights);
        Set(conv.bias!, convBiases);
        Set(fc.weight!, fcWeights);
        Set(fc.bias!, fcBiases);
        return Sequential(("features", conv), ("relu", ReLU()), ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", fc));
    }

    /// <summary>Copies <paramref name="values"/> into a parameter or buffer, in its shape.</summary>
    private static void Set(Tensor target, Tensor values)
    {
        using (no_grad()) target.copy_(values.reshape(target.shape));
    }

    private static void Set(Tensor target, params float[] values) => Set(target, tensor(values));

    /// <summary>A 1x2x3 image for <see cref="ThreeClassGapNet"/>: x[i, j] = 1.5·(3i + j) - 3 (values -3..4.5).</summary>
    public static Tensor ThreeClassGapInput() => (arange(6, dtype: ScalarType.Float32) * 1.5f - 3).reshape(1, 1, 2, 3);

    /// <summary>
    /// features: 1x1 conv 1→1 (identity); flatten; fc: Linear(4→2) with W[0] = [1, -2, 0.5, 3], W[1] = [0, 1, 0, -1], no bias.
    /// The gradient of class c with respect to the 2x2 features is W[c] laid out as 2x2: it varies over space.
    /// </summary>
    public static Sequential FlatNet()
    {
        var (conv, fc) = (Conv2d(1, 1, 1, bias: false), Linear(4, 2, hasBias: false));
        Set(conv.weight!, 1);
        Set(fc.weight!, 1, -2, 0.5f, 3, 0, 1, 0, -1);
        return Sequential(("features", conv), ("flatten", Flatten()), ("fc", fc));
    }

    /// <summary>The <see cref="FlatNet"/> input: [[1, 2], [3, 4]].</summary>
    public static Tensor FlatInput() => tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2);

    /// <summary>
    /// A model whose feature layer passes its input through, so the activations CAM sees are exactly the batch given:
    /// features (identity) → pool → flatten → fc with <paramref name="weights"/> [C, K] and no bias.
    /// </summary>
    public static Sequential IdentityFeatures(Tensor weights)
    {
        var fc = Linear(weights.shape[1], weights.shape[0], hasBias: false);
        Set(fc.weight!, weights);
        return Sequential(("features", Identity()), ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", fc));
    }

    /// <summary>Activations [3, 2, 3] with both signs, for the hand-built CAM case.</summary>
    public static Tensor CamActivations() =>
        tensor(new float[] { 1, -2, 0.5f, 3, 0, -1, 2, 1, -3, 0.5f, 4, 1, -1, 2, 2, 0, -0.5f, 1 }).reshape(3, 2, 3);

    /// <summary>An asymmetric 3x3 head weight (so its transpose gives other maps).</summary>
    public static Tensor CamWeights() => tensor(new float[] { 0.5f, -1, 2, 1, 0.25f, -0.5f, -2, 1.5f, 1 }).reshape(3, 3);

    /// <summary>Activations [4, 3, 5] of both signs: K = 4, h·w = 15, non-square.</summary>
    public static Tensor WideCamActivations() => ((arange(60, dtype: ScalarType.Float32) * 0.7f).sin() * 3 - 0.5f).reshape(4, 3, 5);

    /// <summary>A [3, 4] head weight (C = 3 classes, K = 4 channels).</summary>
    public static Tensor WideCamWeights() => ((arange(12, dtype: ScalarType.Float32) * 1.3f + 0.2f).cos() * 2).reshape(3, 4);

    /// <summary>
    /// A small network with batch normalisation, handed to the Grad-CAM check in training mode: conv 3→5 (3x3, pad 1) →
    /// BatchNorm2d(5) with running statistics far from any one image's → ReLU → features: 1x1 conv 5→4 → ReLU → pool →
    /// flatten → fc: Linear(4→3). Its maps are 3x5 (non-square), K = 4 ≠ h·w = 15 ≠ C = 3. In training mode batch norm uses
    /// the image's own statistics (another map) and updates its running ones, so a forgotten eval() shows twice.
    /// </summary>
    public static Sequential BatchNormNet()
    {
        var conv = Conv2d(3, 5, 3, padding: 1);
        var bn = BatchNorm2d(5);
        var features = Conv2d(5, 4, 1);
        var fc = Linear(4, 3);
        Set(conv.weight!, (arange(135, dtype: ScalarType.Float32) * 0.37f).sin() * 0.5f);
        Set(conv.bias!, 0.1f, -0.2f, 0.3f, 0, -0.1f);
        Set(bn.running_mean!, 0.5f, -0.3f, 0.2f, 0.8f, -0.6f);
        Set(bn.running_var!, 2.0f, 0.5f, 1.5f, 3.0f, 0.8f);
        Set(bn.weight!, 1.2f, 0.8f, -0.5f, 1.0f, 0.6f);
        Set(bn.bias!, 0.2f, 0.1f, 0.3f, -0.1f, 0.4f);
        Set(features.weight!, (arange(20, dtype: ScalarType.Float32) * 0.91f + 0.3f).cos());
        Set(features.bias!, 0.05f, 0.2f, -0.1f, 0.3f);
        Set(fc.weight!, 1, -0.5f, 2, 0.3f, -1, 1.5f, 0.5f, -0.7f, 0.4f, 0.9f, -1.2f, 1.1f);
        Set(fc.bias!, 0.1f, -0.2f, 0.05f);
        var net = Sequential(("conv", conv), ("bn", bn), ("relu", ReLU()), ("features", features), ("relu2", ReLU()),
            ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", fc));
        net.train();
        return net;
    }

    /// <summary>A [1, 3, 3, 5] image for <see cref="BatchNormNet"/>, values of both signs.</summary>
    public static Tensor BatchNormInput() => ((arange(45, dtype: ScalarType.Float32) * 0.53f).sin() * 2 + 0.3f).reshape(1, 3, 3, 5);
}
