using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>The common path of the gradient-based methods: probe the layer, apply the method's formula, pack the result.</summary>
internal static class GradientMaps
{
    public static CamResult Compute(string method, Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, string? layerName,
        Tensor batch, int[]? classIndices, Func<Tensor, Tensor, Tensor> formula)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(batch);
        layerName ??= ModuleLookup.NameOf(model, layer);
        using var scope = NewDisposeScope();
        var probe = LayerProbe.Run(model, layer, layerName, batch, classIndices, withGradients: true);
        using var noGrad = no_grad();
        return LayerProbe.Result(method, layerName, formula(probe.Activations, probe.Gradients!), probe);
    }

    public static Module<Tensor, Tensor> Find(Module model, string layerName) => ModuleLookup.FindTensorModule(model, layerName);
}
