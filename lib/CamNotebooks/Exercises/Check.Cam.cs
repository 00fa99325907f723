using CamNotebooks.Hooks;
using CamNotebooks.Maps;
using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

public static partial class Check
{
    /// <summary>
    /// Exercise 2: checks a CAM function (activations [K, h, w], head weight [C, K], class → map [h, w]) against
    /// <see cref="ClassActivationMap"/> on a hand-built 3-class case and on the real ResNet's layer4 for the cat photo, both classes.
    /// </summary>
    public static CheckResult Cam(CamFunction cam) => Run("Exercise 2: the class activation map", r =>
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

        // 2. The real network: layer4 of the ResNet on the cat photo, its trained head, both classes.
        var classifier = ExerciseData.Classifier;
        var batch = ExerciseData.Batch(ExerciseData.CatPhoto);
        Tensor realActivations;
        using (var hook = new Hook(classifier.Body, "body"))
        using (no_grad())
        {
            classifier.call(batch);
            realActivations = Copy(hook.Stored[0]);
        }
        var realWeights = Copy(classifier.HeadLinear.weight!);
        Tensor RealReference(int c)
        {
            using var result = ClassActivationMap.Compute(classifier, classifier.Body, classifier.HeadLinear, batch, [c]);
            return result.Maps[0].clone();
        }
        cases.Add(("cat photo, layer4, class cat", realActivations, realWeights, 1, RealReference));
        cases.Add(("cat photo, layer4, class dog", realActivations, realWeights, 0, RealReference));

        foreach (var (name, a, w, c, reference) in cases)
        {
            var aBefore = a.clone();
            var wBefore = w.clone();
            if (!r.TryLearner(name, () => cam(a, w, c), out var map, ValuesHint)) return;
            var expected = reference(c);
            int classes = (int)w.shape[0];
            var mistakes = new List<KnownMistake>
            {
                new(FindingCodes.AllClasses, $"you returned the maps of all {classes} classes", "The function explains one class: pick that class's map.",
                    () => einsum("ck,kij->cij", wBefore, aBefore)),
                new(FindingCodes.TransposedWeights, "your map uses the weight matrix transposed",
                    "The head's weight is [C, K]: one row per class, one column per channel.", () => einsum("kc,kij->cij", wBefore, aBefore)[c]),
                new(FindingCodes.ReluApplied, "your map has its negative values clipped to 0",
                    "CAM keeps negative evidence (regions that argue against the class); clipping is a display choice, made later.", () => expected.relu()),
                new(FindingCodes.WrongDims, "you summed over a spatial dimension instead of the channels",
                    "Which dimension of the activations is K, the one the class's weights run along?", () => (wBefore[c].reshape(-1, 1, 1) * aBefore).sum(1)),
                new(FindingCodes.WrongDims, "you summed over a spatial dimension instead of the channels",
                    "Which dimension of the activations is K, the one the class's weights run along?", () => (wBefore[c].reshape(-1, 1, 1) * aBefore).sum(2)),
            };
            for (int other = 0; other < classes; other++)
            {
                if (other == c) continue;
                int o = other;
                mistakes.Insert(1, new(FindingCodes.WrongClass, $"this is the map of class {o}, not of class {c}",
                    "Use the weights of the class you were asked about (the classIndex argument).", () => reference(o)));
            }
            if (!TensorComparison.Compare(r, $"map for the {name}", map, expected, new(ValuesHint,
                    Scaled: "The pattern is right but the scale is not: CAM sums the weighted channels; an average divides by K."),
                    mistakes)) return;
            if (!TensorComparison.Close(a, aBefore) || !TensorComparison.Close(w, wBefore))
            {
                r.Fail($"inputs untouched ({name})", FindingCodes.ModifiedInput, "your function changed the activations or the weights it was given",
                    "Operations ending in _ (mul_, relu_...) change a tensor in place; the caller still needs the original.");
                return;
            }
        }
    });
}
