using CamNotebooks.Hooks;
using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

/// <summary>Exercise 6, Grad-CAM of a batch without keepdim, with a trap case where misaligned weights still fit.</summary>
internal static class KeepdimExercise
{
    private const string Title = "Exercise 6: Grad-CAM without keepdim";

    private static readonly string[] Plan =
    [
        "a trap case where weights lined up on the wrong dimensions still fit (N = h, K = w)",
        "the real layer4 activations and gradients of two photos, and of one photo",
        "one map per image [N, h, w]: each image's own channel weights, the weighted sum, its positive part; inputs unchanged",
    ];

    private const string BroadcastHint =
        "Broadcasting lines shapes up from the right: [N, K] against [N, K, h, w] pairs K with w and N with h. Which shape must " +
        "the weights have to meet the images and the channels?";
    private const string OwnWeightsHint = "Each image has its own weights: average over the positions only.";
    private const string OneMapEachHint = "Return one map per image, [N, h, w]: the batch dimension stays, only the channels are summed.";

    public static CheckResult Run(GradCamFormula formula) => CheckRecorder.Run(Title, Plan, formula, r =>
    {
        var trapActivations = (arange(36, dtype: ScalarType.Float32).reshape(2, 3, 2, 3) * 0.37f).sin() * 2;
        var trapGradients = (arange(36, dtype: ScalarType.Float32).reshape(2, 3, 2, 3) * 0.91f + 0.3f).cos();
        var model = ExerciseData.Model;
        using var batch = cat([ExerciseData.Batch(ExerciseData.CatPhoto), ExerciseData.Batch(ExerciseData.DogPhoto)]);
        var probe = LayerGradients.Of(model, ModuleLookup.FindTensorModule(model, "body.layer4"), batch, [1, 0]);
        var cases = new (string Name, Tensor Activations, Tensor Gradients)[]
        {
            ("trap case N = h = 2, K = w = 3", trapActivations, trapGradients),
            ("cat and dog photos, layer4 [2, 512, 7, 7]", probe.Activations, probe.Gradients),
            ("cat photo alone [1, 512, 7, 7]", probe.Activations[..1], probe.Gradients[..1]),
        };
        foreach (var (name, a, g) in cases)
        {
            var (aBefore, gBefore) = (a.clone(), g.clone());
            var expected = Maps.GradCam.Formula(aBefore, gBefore);
            if (!r.TryLearner(name, () => formula(a, g), out var maps, BroadcastHint)) return;
            var hints = new Hints(
                "Grad-CAM: one weight per image and channel (the gradients averaged over the positions), a weighted sum of the channels, " +
                "its positive part. Broadcasting lines shapes up from the right: check which axes of the activations your weights met.",
                Shape: "The result is [N, h, w]: one map per image. Follow the shapes through each step.",
                Map: true,
                Images: true,
                Inputs: "the activations and gradients you were given",
                Factors: GradCamExercise.SummedFactors(gBefore));
            if (!TensorComparison.Compare(r, $"maps for the {name}", maps, expected, hints, Mistakes(aBefore, gBefore, expected))) return;
            if (!TensorComparison.Untouched(r, $"inputs untouched ({name})", "your formula changed the activations or gradients", (a, aBefore), (g, gBefore))) return;
        }
    });

    private static IEnumerable<KnownMistake> Mistakes(Tensor a, Tensor g, Tensor expected)
    {
        var weights = g.mean([2, 3]);
        Tensor Weighted(Tensor w) => (w.unsqueeze(-1).unsqueeze(-1) * a).sum(1);
        List<KnownMistake> mistakes =
        [
            new(FindingCodes.MissingRelu, "your maps keep negative values", "Grad-CAM keeps only the positive part of the weighted sum.", () => Weighted(weights)),
            // In the trap case the first image's map is 0 everywhere, so these two cannot be told apart there: the detail names both.
            new(FindingCodes.WholeBatch, "every image got the same channel weights (averaged over the whole batch, or taken from one image)", OwnWeightsHint,
                () => (g.mean([0, 2, 3]).reshape(1, -1, 1, 1) * a).sum(1).relu()),
            new(FindingCodes.WholeBatch, "every image got the first image's channel weights", OwnWeightsHint,
                () => (g[0].mean([1, 2]).reshape(1, -1, 1, 1) * a).sum(1).relu()),
            new(FindingCodes.MeanOverWrongAxes, "you averaged the gradients over dimensions 1 and 2 (channels and rows) of [N, K, h, w]",
                GradCamExercise.MeanOverWrongAxesHint, () => (g.mean([1, 2], keepdim: true) * a).sum(1).relu()),
            new(FindingCodes.WrongDims, "you averaged the gradients over the channels", "Which dimensions are the positions (h, w)?",
                () => (g.mean([1]).unsqueeze(1) * a).sum(1).relu()),
            new(FindingCodes.GradientsNotAveraged, "you weighted every position by its own gradient",
                "Grad-CAM gives each channel one weight: its gradient averaged over the positions.", () => (g * a).sum(1).relu()),
            new(FindingCodes.ReluTooEarly, "you took the positive part of each channel's term before adding them up", GradCamExercise.ReluTooEarlyHint,
                () => (weights.unsqueeze(-1).unsqueeze(-1) * a).relu().sum(1)),
            new(FindingCodes.ReluTooEarly, "you took the positive part of the channel weights", GradCamExercise.ReluTooEarlyHint, () => Weighted(weights.relu()).relu()),
            new(FindingCodes.WrongShape, "you dropped the batch dimension", "Return one map per image: [N, h, w], even when N = 1.", () => expected.squeeze(0)),
        ];
        // The weights' two axes (image, channel) met other axes of the activations: every placement whose sizes fit.
        string[] axes = ["images (N)", "channels (K)", "rows (h)", "columns (w)"];
        for (int imageAxis = 0; imageAxis < 4; imageAxis++)
            for (int channelAxis = 0; channelAxis < 4; channelAxis++)
            {
                if (imageAxis == channelAxis || (imageAxis, channelAxis) == (0, 1)
                    || a.shape[imageAxis] != weights.shape[0] || a.shape[channelAxis] != weights.shape[1]) continue;
                var placed = new long[] { 1, 1, 1, 1 };
                placed[imageAxis] = weights.shape[0];
                placed[channelAxis] = weights.shape[1];
                var aligned = imageAxis < channelAxis ? weights.reshape(placed) : weights.T.reshape(placed);
                mistakes.Add(new(FindingCodes.BroadcastMisaligned,
                    $"your weights met the activations on the wrong axes: each image's weights along the {axes[imageAxis]}, each channel's along the {axes[channelAxis]}",
                    BroadcastHint, () => (aligned * a).sum(1).relu()));
            }
        if (a.shape[0] > 1)
            mistakes.AddRange(
            [
                new(FindingCodes.WholeBatch, "you returned one map for the whole batch (the images' maps added together)", OneMapEachHint,
                    () => Weighted(weights).sum([0]).relu()),
                new(FindingCodes.WholeBatch, "you returned one map for the whole batch (the images' maps averaged)", OneMapEachHint, () => expected.mean([0])),
            ]);
        return mistakes;
    }
}
