using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

/// <summary>Exercise 8, CAM for a sentence: the library's CAM of it as a 1 x L grid, run like exercise 2's cases.</summary>
internal static class TextCamExercise
{
    private const string Title = "Exercise 8: CAM for a sentence";

    private static readonly string[] Plan =
    [
        "a hand-built sentence (7 words, 4 channels, 3 classes, values of both signs) and a mail-sized case (128 positions, 32 channels), both classes",
        "the map [L] equals the library's CAM of the sentence as a 1 x L grid: the weighted sum of the channels at each word (any correct way: einsum, matmul, broadcasting)",
        "the raw values: no averaging, clamping or ReLU; the right class; one value per word, not a [1, L] grid",
        "float32 result; the activations and weights you were given are unchanged",
    ];

    public static CheckResult Run(CamFunction textCam) => CheckRecorder.Run(Title, Plan, textCam, r =>
    {
        var small = ((arange(28, dtype: ScalarType.Float32) * 0.9f).sin() * 2 - 0.3f).reshape(4, 7);
        var smallWeights = ((arange(12, dtype: ScalarType.Float32) * 1.3f).cos() * 1.5f).reshape(3, 4);
        var mail = ((arange(32 * 128, dtype: ScalarType.Float32) * 0.37f).sin() + 1).relu().reshape(32, 128);
        var mailWeights = ((arange(64, dtype: ScalarType.Float32) * 0.61f).sin() * 0.8f).reshape(2, 32);
        // The library's CAM of the activations [K, L] seen as one 1 x L grid, as [L] (computed from copies the learner never sees).
        Func<int, Tensor> Grid(Tensor a, Tensor w) { var (ac, wc) = (a.clone(), w.clone()); return c => CamExercise.IdentityCam(wc, ac.unsqueeze(1).unsqueeze(0), c)[0]; }
        CamExercise.RunCases(r, textCam,
        [
            new("hand-built sentence, 7 words, K = 4, C = 3, class 2", small, smallWeights, 2, Grid(small, smallWeights)),
            new("mail-sized case, 128 positions, K = 32, class spam (1)", mail, mailWeights, 1, Grid(mail, mailWeights)),
            new("mail-sized case, 128 positions, K = 32, class ham (0)", mail, mailWeights, 0, Grid(mail, mailWeights)),
        ], "The map at each word is the class's weighted sum of the K channel activations at that word's position.", "positions L", Mistakes, map: false);
    });

    /// <summary>The known mistakes of a map [L] (after the first, the other classes' maps are tried).</summary>
    private static IEnumerable<KnownMistake> Mistakes(Tensor a, Tensor w, int c, Tensor expected) =>
    [
        new(FindingCodes.AllClasses, $"you returned the maps of all {w.shape[0]} classes", "The function explains one class: pick that class's map.",
            () => einsum("ck,kl->cl", w, a)),
        new(FindingCodes.WrongShape, "you returned the map as a 1 x L grid [1, L]",
            "The sentence is a 1 x L grid inside the model, but the map of one sentence is one value per word: [L].", () => expected.unsqueeze(0)),
        new(FindingCodes.ReluApplied, "your map has its negative values clipped to 0",
            "CAM keeps negative evidence (words that argue against the class); clipping is a display choice, made later.", () => expected.relu()),
    ];
}
