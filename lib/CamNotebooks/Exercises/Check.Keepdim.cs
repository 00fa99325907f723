using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

public static partial class Check
{
    private const string KeepdimTitle = "Exercise 6: Grad-CAM without keepdim";

    /// <summary>
    /// Exercise 6: checks a batch Grad-CAM formula written without <c>keepdim</c> (activations and gradients [N, K, h, w] →
    /// maps [N, h, w]) against <see cref="Maps.GradCam.Formula"/>: first on a trap case where N = h and K = w, so that
    /// weights [N, K] broadcast against [N, K, h, w] without an error but on the wrong dimensions, then on real layer4
    /// activations and gradients of two photos.
    /// </summary>
    /// <remarks>The check cannot see whether your code uses keepdim; the exercise asks you not to.</remarks>
    public static CheckResult Keepdim(GradCamFormula formula) => Run(KeepdimTitle, r =>
    {
        ArgumentNullException.ThrowIfNull(formula);
        const string BroadcastHint =
            "Broadcasting lines shapes up from the right: [N, K] against [N, K, h, w] pairs K with w and N with h. Which shape must " +
            "the weights have to meet the images and the channels?";
        // The trap: N = h = 2 and K = w = 3, so the misaligned product has the right shape and raises no error.
        var trapActivations = (arange(36, dtype: ScalarType.Float32).reshape(2, 3, 2, 3) * 0.37f).sin() * 2;
        var trapGradients = (arange(36, dtype: ScalarType.Float32).reshape(2, 3, 2, 3) * 0.91f + 0.3f).cos();

        // Real: layer4 activations and gradients of the cat and the dog photo, each for its own class.
        var model = ExerciseData.Model;
        var layer = Layer(model, "body.layer4");
        using var batch = cat([ExerciseData.Batch(ExerciseData.CatPhoto), ExerciseData.Batch(ExerciseData.DogPhoto)]);
        var probe = LayerGradients.Of(model, layer, batch, [1, 0]);

        var cases = new (string Name, Tensor Activations, Tensor Gradients)[]
        {
            ("trap case N = h = 2, K = w = 3", trapActivations, trapGradients),
            ("cat and dog photos, layer4 [2, 512, 7, 7]", probe.Activations, probe.Gradients),
            ("cat photo alone [1, 512, 7, 7]", probe.Activations[..1], probe.Gradients[..1]),
        };
        foreach (var (name, a, g) in cases)
        {
            var aBefore = a.clone();
            var gBefore = g.clone();
            var expected = Maps.GradCam.Formula(aBefore, gBefore);
            if (!r.TryLearner(name, () => formula(a, g), out var maps, BroadcastHint)) return;
            var weights = gBefore.mean([2, 3]);
            var mistakes = new List<KnownMistake>
            {
                new(FindingCodes.BroadcastMisaligned, "your channel weights were multiplied along the wrong dimensions (the shapes happened to fit)",
                    BroadcastHint, () => (weights * aBefore).sum(1).relu()),
                new(FindingCodes.BroadcastMisaligned, "your channel weights [N, 1, 1, K] were lined up with the width, not the channels",
                    BroadcastHint, () => (weights.unsqueeze(1).unsqueeze(1) * aBefore).sum(1).relu()),
                new(FindingCodes.MissingRelu, "your maps keep negative values", "Grad-CAM keeps only the positive part of the weighted sum.",
                    () => (weights.unsqueeze(-1).unsqueeze(-1) * aBefore).sum(1)),
                // In the trap case the first image's map is 0 everywhere, so these two cannot be told apart there: the detail names both.
                new(FindingCodes.WholeBatch, "every image got the same channel weights (averaged over the whole batch, or taken from one image)",
                    "Each image has its own weights: average over the positions only.",
                    () => (gBefore.mean([0, 2, 3]).reshape(1, -1, 1, 1) * aBefore).sum(1).relu()),
                new(FindingCodes.WholeBatch, "every image got the first image's channel weights",
                    "Each image has its own weights: average over the positions only.",
                    () => (gBefore[0].mean([1, 2]).reshape(1, -1, 1, 1) * aBefore).sum(1).relu()),
                new(FindingCodes.MeanOverWrongAxes, "you averaged the gradients over dimensions 1 and 2 (channels and rows) of [N, K, h, w]",
                    "The book's mean over [1, 2] is for one image's [K, h, w]; with the batch dimension in front, which dimensions are the positions?",
                    () => (gBefore.mean([1, 2], keepdim: true) * aBefore).sum(1).relu()),
                new(FindingCodes.WrongDims, "you averaged the gradients over the channels", "Which dimensions are the positions (h, w)?",
                    () => (gBefore.mean([1]).unsqueeze(1) * aBefore).sum(1).relu()),
                new(FindingCodes.GradientsNotAveraged, "you weighted every position by its own gradient",
                    "Grad-CAM gives each channel one weight: its gradient averaged over the positions.", () => (gBefore * aBefore).sum(1).relu()),
                new(FindingCodes.ReluTooEarly, "you took the positive part of each channel's term before adding them up",
                    ReluTooEarlyHint, () => (weights.unsqueeze(-1).unsqueeze(-1) * aBefore).relu().sum(1)),
                new(FindingCodes.ReluTooEarly, "you took the positive part of the channel weights",
                    ReluTooEarlyHint, () => (weights.relu().unsqueeze(-1).unsqueeze(-1) * aBefore).sum(1).relu()),
                new(FindingCodes.WrongShape, "you dropped the batch dimension", "Return one map per image: [N, h, w], even when N = 1.", () => expected.squeeze(0)),
            };
            // The weights' two axes (image, channel) met other axes of the activations: every placement whose sizes fit.
            string[] axes = ["images (N)", "channels (K)", "rows (h)", "columns (w)"];
            for (int imageAxis = 0; imageAxis < 4; imageAxis++)
                for (int channelAxis = 0; channelAxis < 4; channelAxis++)
                {
                    if (imageAxis == channelAxis || (imageAxis, channelAxis) == (0, 1)
                        || aBefore.shape[imageAxis] != weights.shape[0] || aBefore.shape[channelAxis] != weights.shape[1]) continue;
                    var placed = new long[] { 1, 1, 1, 1 };
                    placed[imageAxis] = weights.shape[0];
                    placed[channelAxis] = weights.shape[1];
                    var aligned = imageAxis < channelAxis ? weights.reshape(placed) : weights.T.reshape(placed);
                    mistakes.Add(new(FindingCodes.BroadcastMisaligned,
                        $"your weights met the activations on the wrong axes: each image's weights along the {axes[imageAxis]}, each channel's along the {axes[channelAxis]}",
                        BroadcastHint, () => (aligned * aBefore).sum(1).relu()));
                }
            // Each image's map right, but the maps along another axis or in another order.
            foreach (var order in new long[][] { [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0] })
                mistakes.Add(new(FindingCodes.ImagesMixed, $"your maps are right, but the images run along dimension {Array.IndexOf(order, 0L)} of your result, not dimension 0",
                    "Stack one map per image along a new first dimension: [N, h, w].", () => expected.permute(order)));
            if (a.shape[0] > 1)
            {
                mistakes.Add(new(FindingCodes.ImagesMixed, "your maps are right, but in another order than the images",
                    "Map n belongs to image n: keep the images in the order they came.", () => expected.flip(0)));
                const string OneMapEach = "Return one map per image, [N, h, w]: the batch dimension stays, only the channels are summed.";
                mistakes.Add(new(FindingCodes.WholeBatch, "you returned one map for the whole batch (the images' maps added together)", OneMapEach,
                    () => (weights.unsqueeze(-1).unsqueeze(-1) * aBefore).sum([0, 1]).relu()));
                mistakes.Add(new(FindingCodes.WholeBatch, "you returned one map for the whole batch (the images' maps averaged)", OneMapEach,
                    () => expected.mean([0])));
            }
            if (!TensorComparison.Compare(r, $"maps for the {name}", maps, expected, new(
                    "Grad-CAM: one weight per image and channel (the gradients averaged over the positions), a weighted sum of the channels, " +
                    "its positive part. Broadcasting lines shapes up from the right: check which axes of the activations your weights met.",
                    Shape: "The result is [N, h, w]: one map per image. Follow the shapes through each step.")
                {
                    Map = true,
                    Inputs = "the activations and gradients you were given",
                    Factors = PositionFactors(gBefore, "you summed the gradients over the positions instead of averaging them", GradientsSummedHint, summed: true),
                }, mistakes)) return;
            if (!TensorComparison.Close(a, aBefore) || !TensorComparison.Close(g, gBefore))
            {
                r.Fail($"inputs untouched ({name})", FindingCodes.ModifiedInput, "your formula changed the activations or gradients",
                    "Operations ending in _ change a tensor in place; the caller still needs the original.");
                return;
            }
        }
    });
}
