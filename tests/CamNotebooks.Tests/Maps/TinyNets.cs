using System.Collections;
using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Maps;

/// <summary>Hand-built networks with known weights, small enough to work their maps out by hand.</summary>
internal static class TinyNets
{
    /// <summary>
    /// features: 1x1 conv 1→2 channels, channel 0 = x, channel 1 = 0.5 - x; relu; global average pool; flatten;
    /// fc: Linear(2→2) with W = [[1, 2], [3, -1]], b = [0.1, -0.2]. The CAM setting of Zhou et al.
    /// </summary>
    public static Sequential GapNet()
    {
        var conv = Conv2d(1, 2, 1);
        var fc = Linear(2, 2);
        using (no_grad())
        {
            conv.weight!.copy_(tensor(new float[] { 1, -1 }).reshape(2, 1, 1, 1));
            conv.bias!.copy_(tensor(new float[] { 0, 0.5f }));
            fc.weight!.copy_(tensor(new float[] { 1, 2, 3, -1 }).reshape(2, 2));
            fc.bias!.copy_(tensor(new float[] { 0.1f, -0.2f }));
        }
        return Sequential(("features", conv), ("relu", ReLU()), ("pool", AdaptiveAvgPool2d(1)), ("flatten", Flatten()), ("fc", fc));
    }

    /// <summary>The GapNet input: one 1x4x4 image with x[i, j] = 4i + j - 6 (values -6..9).</summary>
    public static Tensor GapInput() => arange(16, dtype: ScalarType.Float32).sub(6).reshape(1, 1, 4, 4);

    /// <summary>relu(x) and relu(0.5 - x) for <see cref="GapInput"/>: the "relu" layer's two channels.</summary>
    public static readonly float[,] A0 = { { 0, 0, 0, 0 }, { 0, 0, 0, 1 }, { 2, 3, 4, 5 }, { 6, 7, 8, 9 } };
    public static readonly float[,] A1 = { { 6.5f, 5.5f, 4.5f, 3.5f }, { 2.5f, 1.5f, 0.5f, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };

    /// <summary>
    /// features: 1x1 conv 1→1 (identity); flatten; fc: Linear(4→2) with W[0] = [1, -2, 0.5, 3], W[1] = [0, 1, 0, -1], no bias.
    /// The gradient of class c with respect to the 2x2 features is W[c] laid out as 2x2: it varies over space.
    /// </summary>
    public static Sequential FlatNet()
    {
        var conv = Conv2d(1, 1, 1, bias: false);
        var fc = Linear(4, 2, hasBias: false);
        using (no_grad())
        {
            conv.weight!.fill_(1);
            fc.weight!.copy_(tensor(new float[] { 1, -2, 0.5f, 3, 0, 1, 0, -1 }).reshape(2, 4));
        }
        return Sequential(("features", conv), ("flatten", Flatten()), ("fc", fc));
    }

    /// <summary>The FlatNet input: [[1, 2], [3, 4]].</summary>
    public static Tensor FlatInput() => tensor(new float[] { 1, 2, 3, 4 }).reshape(1, 1, 2, 2);

    /// <summary>A layer of a model by name, as the tensor-to-tensor module hooks need.</summary>
    public static Module<Tensor, Tensor> L(TorchSharp.torch.nn.Module model, string name) =>
        (Module<Tensor, Tensor>)CamNotebooks.Hooks.ModuleLookup.Find(model, name);

    public static float[,] ToArray(Tensor map)
    {
        using var m = map.detach().cpu().to(ScalarType.Float32).contiguous();
        var result = new float[m.shape[0], m.shape[1]];
        var flat = m.data<float>().ToArray();
        Buffer.BlockCopy(flat, 0, result, 0, flat.Length * sizeof(float));
        return result;
    }

    public static void AssertClose(float[,] expected, Tensor actual, double tolerance = 1e-5)
    {
        var values = ToArray(actual);
        Assert.Equal(expected.GetLength(0), values.GetLength(0));
        Assert.Equal(expected.GetLength(1), values.GetLength(1));
        for (int i = 0; i < expected.GetLength(0); i++)
            for (int j = 0; j < expected.GetLength(1); j++)
                Assert.True(Math.Abs(expected[i, j] - values[i, j]) <= tolerance,
                    $"at [{i}, {j}]: expected {expected[i, j]}, got {values[i, j]}");
    }

    public static float[,] Combine(float a, float[,] x, float b, float[,] y, bool relu = false)
    {
        var r = new float[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < r.GetLength(0); i++)
            for (int j = 0; j < r.GetLength(1); j++)
            {
                var v = a * x[i, j] + b * y[i, j];
                r[i, j] = relu ? Math.Max(0, v) : v;
            }
        return r;
    }

    /// <summary>
    /// Number of forward hooks registered on every module of <paramref name="model"/>. TorchSharp keeps them in a
    /// protected dictionary; reading it by reflection is the only way to prove none is left behind.
    /// </summary>
    public static int RegisteredHookCount(TorchSharp.torch.nn.Module model)
    {
        int count = 0;
        foreach (var module in model.modules().Prepend(model))
            for (var type = module.GetType(); type is not null; type = type.BaseType)
                foreach (var name in new[] { "post_hooks", "pre_hooks", "module_post_hooks", "module_pre_hooks" })
                    if (type.GetField(name, BindingFlags.Instance | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)?.GetValue(module) is ICollection hooks)
                        count += hooks.Count;
        return count;
    }
}
