using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// Occlusion sensitivity (Zeiler &amp; Fergus 2014, arXiv:1311.2901): slide a blank patch over the image and record how much
/// the class probability drops at each position. No gradients, no layer: a map made only of forward passes, one per
/// patch position and image.
/// </summary>
public static class Occlusion
{
    /// <summary>The map's method name.</summary>
    public const string Name = "Occlusion";

    /// <summary>
    /// One map per image on the grid of patch positions: p(class | image) − p(class | image with the patch blanked). The
    /// blank is 0 in the network's input space (after mean subtraction: the mean, grey image). Positive where hiding the
    /// patch costs the class its probability.
    /// </summary>
    /// <param name="model">Any classifier mapping [N, C, H, W] to class scores.</param>
    /// <param name="batch">Images, preprocessed as the model expects.</param>
    /// <param name="classIndices">null: each image's predicted class; one for all; or one per image.</param>
    /// <param name="patch">Side of the square patch in pixels.</param>
    /// <param name="stride">Step between patch positions in pixels.</param>
    /// <exception cref="ArgumentException">Batch not 4-D or empty, patch larger than the image, patch or stride not positive.</exception>
    public static CamResult Compute(Module<Tensor, Tensor> model, Tensor batch, int[]? classIndices = null, int patch = 56, int stride = 28)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(patch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(stride);
        if (batch.dim() != 4 || batch.shape[0] == 0)
            throw new ArgumentException($"Expected a non-empty batch [N, C, H, W], got [{string.Join(", ", batch.shape)}].", nameof(batch));
        long height = batch.shape[2], width = batch.shape[3];
        if (patch > height || patch > width)
            throw new ArgumentException($"A {patch}-pixel patch does not fit in a {height}x{width} image.", nameof(patch));
        int rows = (int)((height - patch) / stride + 1), columns = (int)((width - patch) / stride + 1);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var eval = Hooks.ModelModeScope.Eval(model);
        var logits = model.call(batch);
        var classes = LayerProbe.ResolveClasses(classIndices, logits);
        var maps = zeros(batch.shape[0], rows, columns);
        for (int n = 0; n < classes.Length; n++)
        {
            using var inner = NewDisposeScope();
            var occluded = batch[n].unsqueeze(0).repeat(rows * columns, 1, 1, 1);
            for (int p = 0, top = 0, left = 0; p < rows * columns; p++, top = p / columns * stride, left = p % columns * stride)
                occluded[p, .., top..(top + patch), left..(left + patch)].fill_(0);
            var probabilities = model.call(occluded).softmax(1)[.., classes[n]];
            maps[n].copy_((logits[n].softmax(0)[classes[n]] - probabilities).view(rows, columns));
        }
        return LayerProbe.Result(Name, $"input ({patch}px patch, stride {stride})", maps, new ProbeOutput(maps, null, logits, classes));
    }
}
