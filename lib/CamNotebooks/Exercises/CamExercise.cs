using CamNotebooks.Hooks;
using CamNotebooks.Maps;
using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

/// <summary>Exercise 2, the class activation map; exercise 8 runs its cases through <see cref="RunCases"/> too.</summary>
internal static class CamExercise
{
    private const string Title = "Exercise 2: the class activation map";

    private static readonly string[] Plan =
    [
        "hand-built cases (3 channels on a 2x3 grid; 4 channels on a non-square 3x5 grid with 3 classes), values of both signs",
        "the real layer4 activations of the cat and the dog photo with the trained head's weights, for a class other than the predicted one too",
        "the map [h, w] equals the weighted sum of the channels at each position (any correct way: einsum, matmul, loops, broadcasting)",
        "the raw values: no averaging, scaling to 0..1, clamping, softmax or ReLU; the right class; rows and columns in place",
        "float32 result; the activations and weights you were given are unchanged",
    ];

    private const string ValuesHint = "The map at each position is the class's weighted sum of the K channel activations at that position.";
    private const string ProbabilityHint = "CAM's map is the class's score at each position, the weighted sum itself: a softmax over the classes is a later step, for the prediction.";
    private const string DimsHint = "Which dimension of the activations is K, the one the class's weights run along?";

    /// <summary>One case: a name, the activations and head weight given to the learner, the class, and the library's map of any class.</summary>
    internal sealed record Case(string Name, Tensor Activations, Tensor Weights, int Class, Func<int, Tensor> Reference);

    public static CheckResult Run(CamFunction cam) => CheckRecorder.Run(Title, Plan, cam, r =>
    {
        var classifier = ExerciseData.Classifier;
        var realWeights = classifier.HeadLinear.weight!.detach().clone();
        // One photo's layer4 activations, and the library's CAM of that photo for any class.
        Tensor RealActivations(string photo)
        {
            using var hook = new Hook(classifier.Body, "body");
            using (no_grad()) classifier.call(ExerciseData.Batch(photo));
            return hook.Stored[0].detach().clone();
        }
        Func<int, Tensor> RealReference(string photo) => c =>
        {
            using var result = ClassActivationMap.Compute(classifier, classifier.Body, classifier.HeadLinear, ExerciseData.Batch(photo), [c]);
            return result.Maps[0].clone();
        };
        var (hand, handWeights) = (TinyNets.CamActivations(), TinyNets.CamWeights());
        var (wide, wideWeights) = (TinyNets.WideCamActivations(), TinyNets.WideCamWeights());
        var cat = RealActivations(ExerciseData.CatPhoto);
        RunCases(r, cam,
        [
            // K = C = 3, so that transposed weights still give a map of the right shape; h = 2, w = 3.
            new("hand-built case, class 1", hand.clone(), handWeights.clone(), 1, c => IdentityCam(handWeights, hand.unsqueeze(0), c)),
            // Non-square, K = 4 ≠ h·w = 15 ≠ C = 3, both signs: a factor, a transposition or a reshape each give other numbers.
            new("hand-built 3x5 case, K = 4, C = 3, class 2", wide.clone(), wideWeights.clone(), 2, c => IdentityCam(wideWeights, wide.unsqueeze(0), c)),
            new("cat photo, layer4, class cat", cat, realWeights, 1, RealReference(ExerciseData.CatPhoto)),
            new("cat photo, layer4, class dog", cat, realWeights, 0, RealReference(ExerciseData.CatPhoto)),
            new("dog photo, layer4, class cat", RealActivations(ExerciseData.DogPhoto), realWeights, 1, RealReference(ExerciseData.DogPhoto)),
        ], ValuesHint, "positions h·w", MapMistakes, map: true);
    });

    /// <summary>Each case until the first failure: the map against the reference (mistakes named), then the inputs.</summary>
    internal static void RunCases(CheckRecorder r, CamFunction cam, IEnumerable<Case> cases, string valuesHint, string positionsName,
        Func<Tensor, Tensor, int, Tensor, IEnumerable<KnownMistake>> mistakes, bool map)
    {
        foreach (var (name, a, w, c, reference) in cases)
        {
            var (aBefore, wBefore) = (a.clone(), w.clone());
            if (!r.TryLearner(name, () => cam(a, w, c), out var result, valuesHint)) return;
            var expected = reference(c);
            long channels = aBefore.shape[0], positions = aBefore.shape[1..].Aggregate(1L, (x, y) => x * y);
            var otherClasses = Enumerable.Range(0, (int)w.shape[0]).Where(o => o != c).Select(o => new KnownMistake(FindingCodes.WrongClass,
                $"this is the map of class {o}, not of class {c}", "Use the weights of the class you were asked about (the classIndex argument).", () => reference(o)));
            var all = mistakes(aBefore, wBefore, c, expected).ToList();
            all.InsertRange(1, otherClasses.Reverse());
            var hints = new Hints(valuesHint, Scaled: "The pattern is right but the scale is not: look for a division or a factor the weighted sum does not have.",
                Shape: map ? null : "activations are [K, L] and the weights [C, K]: the sum runs over K, " +
                    "and one class's map keeps one value per word, [L].",
                Map: map,
                Inputs: "the activations and weights you were given",
                Factors:
                [
                    new(1.0 / positions, FindingCodes.AveragedOverPositions, $"you divided by the number of {positionsName} = {positions}",
                        $"CAM sums the weighted channels at each {(map ? "position" : "word")}; averaging over the {(map ? "positions" : "words")} is what the pooling before the head does, not the map."),
                    new(1.0 / channels, FindingCodes.AveragedOverChannels, $"you divided by the number of channels K = {channels}",
                        "CAM is the weighted sum over the channels, not their average."),
                ]);
            if (!TensorComparison.Compare(r, $"map for the {name}", result, expected, hints, all)) return;
            if (!TensorComparison.Untouched(r, $"inputs untouched ({name})", "your function changed the activations or the weights it was given", (a, aBefore), (w, wBefore))) return;
        }
    }

    /// <summary>The known mistakes of a map [h, w] (after the first, the other classes' maps are tried).</summary>
    private static IEnumerable<KnownMistake> MapMistakes(Tensor a, Tensor w, int c, Tensor expected)
    {
        long channels = a.shape[0], height = a.shape[1], width = a.shape[2];
        Tensor Scores() => einsum("ck,kij->cij", w, a);
        return
        [
            new(FindingCodes.AllClasses, $"you returned the maps of all {w.shape[0]} classes", "The function explains one class: pick that class's map.", Scores),
            new(FindingCodes.UsedProbability, "your map is the class's probability at each position (a softmax over the classes), not its score", ProbabilityHint,
                () => Scores().softmax(0)[c]),
            new(FindingCodes.UsedProbability, "your map is the class's log-probability at each position (a log-softmax over the classes), not its score", ProbabilityHint,
                () => Scores().log_softmax(0)[c]),
            new(FindingCodes.TransposedWeights, "your map uses the weight matrix transposed", "The head's weight is [C, K]: one row per class, one column per channel.",
                () => einsum("kc,kij->cij", w, a)[c]),
            new(FindingCodes.ReluApplied, "your map has its negative values clipped to 0",
                "CAM keeps negative evidence (regions that argue against the class); clipping is a display choice, made later.", () => expected.relu()),
            new(FindingCodes.ReluApplied, "you clipped the activations' negative values to 0 before the weighted sum",
                "Use the activations exactly as the layer gave them: they are what the head's weights were trained on.", () => einsum("k,kij->ij", w[c], a.relu())),
            new(FindingCodes.ReluApplied, "you clipped the class's negative weights to 0",
                "CAM keeps negative evidence: a channel with a negative weight argues against the class.", () => einsum("k,kij->ij", w[c].relu(), a)),
            new(FindingCodes.WrongDims, "you summed over a spatial dimension instead of the channels", DimsHint, () => (w[c].reshape(-1, 1, 1) * a).sum(1)),
            new(FindingCodes.WrongDims, "you summed over a spatial dimension instead of the channels", DimsHint, () => (w[c].reshape(-1, 1, 1) * a).sum(2)),
            new(FindingCodes.ReshapedNotPermuted, $"you reshaped the activations to [h, w, K] = [{height}, {width}, {channels}] instead of moving the channel axis",
                "reshape keeps the memory order and only cuts it differently, so channel values end up at other positions; to move an axis use permute.",
                () => a.reshape(height, width, channels).matmul(w[c])),
        ];
    }

    /// <summary>The library's CAM of <paramref name="grid"/> [1, K, h, w] under a head of <paramref name="weights"/> [C, K]: its map [h, w].</summary>
    internal static Tensor IdentityCam(Tensor weights, Tensor grid, int c)
    {
        using var model = TinyNets.IdentityFeatures(weights);
        using var result = ClassActivationMap.Compute(model, "features", "fc", grid, [c]);
        return result.Maps[0].clone();
    }
}
