using static TorchSharp.torch;

namespace CamNotebooks.Maps;

/// <summary>Checks of a batch that name the real cause before libtorch fails somewhere downstream, or not at all.</summary>
internal static class ProbeInputChecks
{
    /// <summary>A NaN or infinite pixel spreads through every convolution: the scores turn NaN and the map comes out blank.</summary>
    public static void RequireFinite(Tensor batch)
    {
        if (!batch.is_floating_point()) return;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var bad = batch.detach().isfinite().logical_not();
        long count = bad.sum().item<long>();
        if (count == 0) return;
        var images = bad.flatten(1).any(1).nonzero().flatten().data<long>().Take(5).ToArray();
        throw new ArgumentException(
            $"The batch holds {count} value(s) that are NaN or infinite (image(s) {string.Join(", ", images)}). They would spread " +
            "through every layer and leave a blank map. Check how the image was loaded and normalised (a division by zero?), " +
            "or replace them, e.g. batch.nan_to_num().", "batch");
    }

    /// <summary>Gradient-based maps need autograd, which <c>torch.inference_mode()</c> switches off entirely.</summary>
    public static void RequireGradientsPossible()
    {
        if (is_inference_mode_enabled())
            throw new InvalidOperationException(
                "Gradient-based maps (Grad-CAM, Grad-CAM++, LayerCAM) need gradients, but this call runs inside torch.inference_mode(), " +
                "which switches autograd off completely. Call it outside the inference_mode() block (no_grad() is fine: the map " +
                "turns gradients back on for itself), or use CAM, which needs no gradient.");
    }
}
