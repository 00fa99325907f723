using CamNotebooks.Hooks;
using CamNotebooks.Maps;
using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

public static partial class Check
{
    private const string CamTitle = "Exercise 2: the class activation map";

    /// <summary>
    /// Exercise 2: checks a CAM function (activations [K, h, w], head weight [C, K], class → map [h, w]) against
    /// <see cref="ClassActivationMap"/> on two hand-built cases (K = C = 3 on 2x3; K = 4, C = 3 on a non-square 3x5, both
    /// signs) and on the real ResNet's layer4 (cat photo, both classes; dog photo, class cat). Any correct way passes; a
    /// known transform of the reference (÷h·w, ÷K, min-max, clamp, softmax over positions, reshape for permute) is named.
    /// </summary>
    public static CheckResult Cam(CamFunction cam) => Run(CamTitle, r =>
    {
        ArgumentNullException.ThrowIfNull(cam);
        const string ValuesHint = "The map at each position is the class's weighted sum of the K channel activations at that position.";
        // 1. Hand-built: K = C = 3 so that transposed weights still give a map of the right shape; h = 2, w = 3.
        var activations = TinyNets.CamActivations();
        var weights = TinyNets.CamWeights();
        using var model = TinyNets.IdentityFeatures(weights);
        var cases = new List<(string Name, Tensor Activations, Tensor Weights, int Class, Func<int, Tensor> Reference)>();
        Tensor HandReference(int c)
        {
            using var result = ClassActivationMap.Compute(model, "features", "fc", activations.unsqueeze(0), [c]);
            return result.Maps[0].clone();
        }
        cases.Add(("hand-built case, class 1", activations.clone(), weights.clone(), 1, HandReference));
        // 1b. Non-square, K = 4 ≠ h·w = 15 ≠ C = 3, both signs: a factor, a transposition or a reshape each give other numbers.
        var wideActivations = TinyNets.WideCamActivations();
        var wideWeights = TinyNets.WideCamWeights();
        using var wideModel = TinyNets.IdentityFeatures(wideWeights);
        Tensor WideReference(int c)
        {
            using var result = ClassActivationMap.Compute(wideModel, "features", "fc", wideActivations.unsqueeze(0), [c]);
            return result.Maps[0].clone();
        }
        cases.Add(("hand-built 3x5 case, K = 4, C = 3, class 2", wideActivations.clone(), wideWeights.clone(), 2, WideReference));

        // 2. The real network: layer4 of the ResNet on the cat photo, its trained head, both classes.
        var classifier = ExerciseData.Classifier;
        // One photo's layer4 activations (kept), and its CAM from the library for any class.
        (Tensor Activations, Func<int, Tensor> Reference) RealCase(string photo)
        {
            var batch = ExerciseData.Batch(photo);
            using var hook = new Hook(classifier.Body, "body");
            using (no_grad()) classifier.call(batch);
            return (Copy(hook.Stored[0]), c =>
            {
                using var result = ClassActivationMap.Compute(classifier, classifier.Body, classifier.HeadLinear, batch, [c]);
                return result.Maps[0].clone();
            });
        }
        var realWeights = Copy(classifier.HeadLinear.weight!);
        var (realActivations, RealReference) = RealCase(ExerciseData.CatPhoto);
        cases.Add(("cat photo, layer4, class cat", realActivations, realWeights, 1, RealReference));
        cases.Add(("cat photo, layer4, class dog", realActivations, realWeights, 0, RealReference));
        var (dogActivations, DogReference) = RealCase(ExerciseData.DogPhoto);
        cases.Add(("dog photo, layer4, class cat", dogActivations, realWeights, 1, DogReference));

        foreach (var (name, a, w, c, reference) in cases)
        {
            var aBefore = a.clone();
            var wBefore = w.clone();
            if (!r.TryLearner(name, () => cam(a, w, c), out var map, ValuesHint)) return;
            var expected = reference(c);
            int classes = (int)w.shape[0];
            long channels = aBefore.shape[0], height = aBefore.shape[1], width = aBefore.shape[2];
            var mistakes = new List<KnownMistake>
            {
                new(FindingCodes.AllClasses, $"you returned the maps of all {classes} classes", "The function explains one class: pick that class's map.",
                    () => einsum("ck,kij->cij", wBefore, aBefore)),
                new(FindingCodes.UsedProbability, "your map is the class's probability at each position (a softmax over the classes), not its score",
                    "CAM's map is the class's score at each position, the weighted sum itself: a softmax over the classes is a later step, for the prediction.",
                    () => einsum("ck,kij->cij", wBefore, aBefore).softmax(0)[c]),
                new(FindingCodes.UsedProbability, "your map is the class's log-probability at each position (a log-softmax over the classes), not its score",
                    "CAM's map is the class's score at each position, the weighted sum itself: a softmax over the classes is a later step, for the prediction.",
                    () => einsum("ck,kij->cij", wBefore, aBefore).log_softmax(0)[c]),
                new(FindingCodes.TransposedWeights, "your map uses the weight matrix transposed",
                    "The head's weight is [C, K]: one row per class, one column per channel.", () => einsum("kc,kij->cij", wBefore, aBefore)[c]),
                new(FindingCodes.ReluApplied, "your map has its negative values clipped to 0",
                    "CAM keeps negative evidence (regions that argue against the class); clipping is a display choice, made later.", () => expected.relu()),
                new(FindingCodes.ReluApplied, "you clipped the activations' negative values to 0 before the weighted sum",
                    "Use the activations exactly as the layer gave them: they are what the head's weights were trained on.",
                    () => einsum("k,kij->ij", wBefore[c], aBefore.relu())),
                new(FindingCodes.ReluApplied, "you clipped the class's negative weights to 0",
                    "CAM keeps negative evidence: a channel with a negative weight argues against the class.",
                    () => einsum("k,kij->ij", wBefore[c].relu(), aBefore)),
                new(FindingCodes.WrongDims, "you summed over a spatial dimension instead of the channels",
                    "Which dimension of the activations is K, the one the class's weights run along?", () => (wBefore[c].reshape(-1, 1, 1) * aBefore).sum(1)),
                new(FindingCodes.WrongDims, "you summed over a spatial dimension instead of the channels",
                    "Which dimension of the activations is K, the one the class's weights run along?", () => (wBefore[c].reshape(-1, 1, 1) * aBefore).sum(2)),
                new(FindingCodes.ReshapedNotPermuted, $"you reshaped the activations to [h, w, K] = [{height}, {width}, {channels}] instead of moving the channel axis",
                    "reshape keeps the memory order and only cuts it differently, so channel values end up at other positions; to move an axis use permute.",
                    () => aBefore.reshape(height, width, channels).matmul(wBefore[c])),
            };
            for (int other = 0; other < classes; other++)
            {
                if (other == c) continue;
                int o = other;
                mistakes.Insert(1, new(FindingCodes.WrongClass, $"this is the map of class {o}, not of class {c}",
                    "Use the weights of the class you were asked about (the classIndex argument).", () => reference(o)));
            }
            var hints = new TensorComparison.Hints(ValuesHint,
                Scaled: "The pattern is right but the scale is not: look for a division or a factor the weighted sum does not have.")
            {
                Map = true,
                Inputs = "the activations and weights you were given",
                Factors =
                [
                    new(1.0 / (height * width), FindingCodes.AveragedOverPositions, $"you divided by the number of positions h·w = {height * width}",
                        "CAM sums the weighted channels at each position; averaging over the positions is what the pooling before the head does, not the map."),
                    new(1.0 / channels, FindingCodes.AveragedOverChannels, $"you divided by the number of channels K = {channels}",
                        "CAM is the weighted sum over the channels, not their average."),
                ],
            };
            if (!TensorComparison.Compare(r, $"map for the {name}", map, expected, hints, mistakes)) return;
            if (!TensorComparison.Close(a, aBefore) || !TensorComparison.Close(w, wBefore))
            {
                r.Fail($"inputs untouched ({name})", FindingCodes.ModifiedInput, "your function changed the activations or the weights it was given",
                    "Operations ending in _ (mul_, relu_...) change a tensor in place; the caller still needs the original.");
                return;
            }
        }
    });
}
