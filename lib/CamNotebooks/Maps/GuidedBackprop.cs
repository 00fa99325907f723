using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// Guided backpropagation and guided Grad-CAM (Selvaraju et al. 2017): pixel-sharp pictures of the class score's gradient
/// with respect to the input, every ReLU guided by <see cref="GuidedRelu"/>; guided Grad-CAM multiplies that picture by the
/// upsampled Grad-CAM map, so only the sharp edges inside the class's region remain.
/// </summary>
public static class GuidedBackprop
{
    /// <summary>The guided gradient of each image's class score with respect to the image, [N, C, H, W].</summary>
    /// <param name="model">A classifier whose ReLUs are modules invoked with <c>call</c>.</param>
    /// <param name="batch">Images [N, C, H, W], preprocessed as the model expects.</param>
    /// <param name="classIndices">null: each image's predicted class; one for all; or one per image.</param>
    /// <exception cref="ArgumentException">Batch not 4-D or empty, or no ReLU module.</exception>
    public static Tensor Gradients(Module<Tensor, Tensor> model, Tensor batch, int[]? classIndices = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.dim() != 4 || batch.shape[0] == 0)
            throw new ArgumentException($"Expected a non-empty batch [N, C, H, W], got [{string.Join(", ", batch.shape)}].", nameof(batch));
        ProbeInputChecks.RequireGradientsPossible();
        using var scope = NewDisposeScope();
        var input = batch.detach().clone().requires_grad_(true);
        using (ModelModeScope.Eval(model))
        using (new FrozenParameters(model))
        using (new GuidedRelu(model))
        using (enable_grad())
        {
            var logits = model.call(input);
            var classes = LayerProbe.ResolveClasses(classIndices, logits);
            var index = tensor(classes.Select(c => (long)c).ToArray(), device: logits.device).unsqueeze(1);
            logits.gather(1, index).sum().backward(inputs: [input]);
        }
        return input.grad!.detach().clone().MoveToOuterDisposeScope();
    }

    /// <summary>A gradient picture as a map [N, H, W]: the largest absolute value over the colour channels at each pixel.</summary>
    public static Tensor Saliency(Tensor gradients) => gradients.abs().amax([1]);

    /// <summary>Guided Grad-CAM maps [N, H, W]: <see cref="Saliency"/> of the guided gradients times Grad-CAM at
    /// <paramref name="layer"/>, upsampled bilinearly to the input size and scaled to 0..1 per image.</summary>
    public static Tensor GuidedGradCam(Module<Tensor, Tensor> model, LayerReference layer, Tensor batch, int[]? classIndices = null)
    {
        using var gradCam = GradCam.Compute(model, layer, batch, classIndices);
        using var scope = NewDisposeScope();
        var guided = Saliency(Gradients(model, batch, gradCam.ClassIndices.ToArray()));
        var up = functional.interpolate(gradCam.Maps.unsqueeze(1), [batch.shape[2], batch.shape[3]],
            mode: InterpolationMode.Bilinear, align_corners: false).squeeze(1);
        var peak = up.amax([1, 2], keepdim: true).clamp_min(1e-12);
        return (guided * up / peak).MoveToOuterDisposeScope();
    }
}
