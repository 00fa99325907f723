using CamNotebooks.Maps;
using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

public static partial class Check
{
    private const string TextCamTitle = "Exercise 8: CAM for a sentence";

    /// <summary>
    /// Exercise 8: checks a text CAM function (activations [K, L] of one sentence, head weight [C, K], class → map [L]) against
    /// <see cref="ClassActivationMap"/> on the sentence as a 1 x L grid: a hand-built case (K = 4, C = 3, L = 7, both signs) and
    /// a mail-sized one (K = 32, C = 2, L = 128), both classes. Known mistakes (all classes, the other class, ReLU, ÷L, ÷K,
    /// the grid's row kept) are named.
    /// </summary>
    public static CheckResult TextCam(CamFunction textCam) => Run(TextCamTitle, r =>
    {
        ArgumentNullException.ThrowIfNull(textCam);
        const string ValuesHint = "The map at each word is the class's weighted sum of the K channel activations at that word's position.";
        var small = ((arange(28, dtype: ScalarType.Float32) * 0.9f).sin() * 2 - 0.3f).reshape(4, 7);
        var smallWeights = ((arange(12, dtype: ScalarType.Float32) * 1.3f).cos() * 1.5f).reshape(3, 4);
        var mail = ((arange(32 * 128, dtype: ScalarType.Float32) * 0.37f).sin() + 1).relu().reshape(32, 128);
        var mailWeights = ((arange(64, dtype: ScalarType.Float32) * 0.61f).sin() * 0.8f).reshape(2, 32);
        var cases = new (string Name, Tensor Activations, Tensor Weights, int Class)[]
        {
            ("hand-built sentence, 7 words, K = 4, C = 3, class 2", small, smallWeights, 2),
            ("mail-sized case, 128 positions, K = 32, class spam (1)", mail, mailWeights, 1),
            ("mail-sized case, 128 positions, K = 32, class ham (0)", mail, mailWeights, 0),
        };
        foreach (var (name, a, w, c) in cases)
        {
            var aBefore = a.clone();
            var wBefore = w.clone();
            if (!r.TryLearner(name, () => textCam(a, w, c), out var map, ValuesHint)) return;
            var expected = GridReference(aBefore, wBefore, c);
            long positions = aBefore.shape[1], channels = aBefore.shape[0];
            var mistakes = new List<KnownMistake>
            {
                new(FindingCodes.AllClasses, $"you returned the maps of all {w.shape[0]} classes", "The function explains one class: pick that class's map.",
                    () => einsum("ck,kl->cl", wBefore, aBefore)),
                new(FindingCodes.WrongShape, "you returned the map as a 1 x L grid [1, L]",
                    "The sentence is a 1 x L grid inside the model, but the map of one sentence is one value per word: [L].",
                    () => expected.unsqueeze(0)),
                new(FindingCodes.ReluApplied, "your map has its negative values clipped to 0",
                    "CAM keeps negative evidence (words that argue against the class); clipping is a display choice, made later.", () => expected.relu()),
            };
            for (int other = 0; other < w.shape[0]; other++)
            {
                if (other == c) continue;
                int o = other;
                mistakes.Insert(1, new(FindingCodes.WrongClass, $"this is the map of class {o}, not of class {c}",
                    "Use the weights of the class you were asked about (the classIndex argument).", () => GridReference(aBefore, wBefore, o)));
            }
            var hints = new TensorComparison.Hints(ValuesHint,
                Scaled: "The pattern is right but the scale is not: look for a division or a factor the weighted sum does not have.",
                Shape: "activations are [K, L] and the weights [C, K]: the sum runs over K, and one class's map keeps one value per word, [L].")
            {
                Factors =
                [
                    new(1.0 / positions, FindingCodes.AveragedOverPositions, $"you divided by the number of positions L = {positions}",
                        "CAM sums the weighted channels at each word; averaging over the words is what the pooling before the head does, not the map."),
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

    /// <summary>The library's CAM of a sentence's activations [K, L] seen as one 1 x L grid, as [L].</summary>
    private static Tensor GridReference(Tensor activations, Tensor weights, int classIndex)
    {
        using var model = TinyNets.IdentityFeatures(weights);
        using var result = ClassActivationMap.Compute(model, "features", "fc", activations.unsqueeze(1).unsqueeze(0), [classIndex]);
        return result.Maps[0, 0].clone();
    }
}
