using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// Score-CAM (Wang et al. 2020, arXiv:1910.01279): no gradients. Each channel of the layer, upsampled to the input and
/// scaled to 0..1, masks the image; the model scores every masked image, and a softmax of those class scores over the
/// channels weights the channels. One forward pass per channel and image: hundreds of times Grad-CAM's cost.
/// </summary>
public static class ScoreCam
{
    /// <summary>How many masked images go through the model at once.</summary>
    public const int MaskBatch = 32;

    /// <summary>Score-CAM as a <see cref="CamMethod"/>: no gradients, any layer, runs the model once per channel.</summary>
    public static CamMethod Method { get; } = new("Score-CAM", needsGradients: false, lastStageOnly: false, Formula,
        scoresInputs: true);

    /// <summary>Computes one Score-CAM map per image; arguments and errors as <see cref="CamMethod.Compute"/>.</summary>
    public static CamResult Compute(Module<Tensor, Tensor> model, LayerReference layer, Tensor batch, int[]? classIndices = null) =>
        Method.Compute(model, layer, batch, classIndices);

    /// <summary>relu(Σ_k softmax_k(score_c(X · mask_k)) · A_k), masks = each channel upsampled and min-max scaled; [N, h, w].</summary>
    public static Tensor Formula(CamInputs inputs)
    {
        var activations = inputs.Activations;
        var images = inputs.Images;
        int channels = (int)activations.shape[1];
        var maps = new List<Tensor>();
        for (int n = 0; n < activations.shape[0]; n++)
        {
            var scores = new List<Tensor>();
            for (int start = 0; start < channels; start += MaskBatch)
            {
                using var scope = NewDisposeScope();
                var chunk = activations[n, start..Math.Min(start + MaskBatch, channels)].unsqueeze(1); // [k, 1, h, w]
                var up = functional.interpolate(chunk, [images.shape[2], images.shape[3]], mode: InterpolationMode.Bilinear,
                    align_corners: false);
                var low = up.amin([2, 3], keepdim: true);
                var range = up.amax([2, 3], keepdim: true) - low;
                // A constant channel (all zero after a ReLU) masks everything out: the blank image, 0 in input space.
                var masks = where(range > 0, (up - low) / range.clamp_min(1e-12), zeros_like(up));
                scores.Add(inputs.Score(images[n].unsqueeze(0) * masks)[.., inputs.Classes[n]].MoveToOuterDisposeScope());
            }
            var weights = cat(scores, 0).softmax(0);
            maps.Add((weights.view(-1, 1, 1) * activations[n]).sum([0]).relu()); // sum([0]): sum(0) would read 0 as a ScalarType
        }
        return stack(maps);
    }
}
