using System.Collections;
using System.Reflection;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Maps;

/// <summary>
/// Hand-worked values and assertions for the hand-built networks of <see cref="CamNotebooks.Exercises.TinyNets"/>
/// (<c>GapNet</c>, <c>FlatNet</c>), the one home of those networks.
/// </summary>
internal static class MapAssertions
{
    /// <summary>relu(x) and relu(0.5 - x) for <c>TinyNets.GapInput</c>: the "relu" layer's two channels.</summary>
    public static readonly float[,] A0 = { { 0, 0, 0, 0 }, { 0, 0, 0, 1 }, { 2, 3, 4, 5 }, { 6, 7, 8, 9 } };
    public static readonly float[,] A1 = { { 6.5f, 5.5f, 4.5f, 3.5f }, { 2.5f, 1.5f, 0.5f, 0 }, { 0, 0, 0, 0 }, { 0, 0, 0, 0 } };

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
