using CamNotebooks.Heatmaps;
using CamNotebooks.Hooks;

namespace CamNotebooks.Exercises;

/// <summary>
/// Exercise 7, the capstone: each piece found goes through its own exercise's check (criteria prefixed with the piece), then
/// the learner's Grad-CAM drawn with their overlay, end to end, against the library's picture.
/// </summary>
internal static class FromScratchExercise
{
    private const string Title = "Exercise 7: everything from scratch";

    private static readonly string[] Plan =
    [
        "finds your pieces by the specification's names: class ActivationHook, class GradientHook, static class MyMaps with Cam, GradCam and Overlay (and says what it could not find)",
        "ActivationHook: exercise 1's criteria (a copy of the output, detached, the latest pass, removed on Dispose), on a hand-built net and the real layer4",
        "GradientHook: exercise 3's criteria (the gradient of the output, passed on unchanged, the latest, detached, removed on Dispose), on a hand-built net and the real layer3",
        "MyMaps.Cam: exercise 2's criteria, on hand-built cases and the real layer4 for both classes",
        "MyMaps.GradCam: exercise 4's criteria, on a hand-built net, a batch-norm net in training mode, and the real layer4 and layer3",
        "MyMaps.Overlay: exercise 5's criteria, on hand-built images and the real photo",
        "every piece leaves the real network as it was (statistics, weights, modes — eval() is fine, as in exercise 4 —, requires_grad, hooks); the check restores it either way",
        "end to end: your Grad-CAM of layer4 and of layer3 drawn with your overlay on the cat photo equals the library's picture",
    ];

    public static CheckResult Run(FromScratchParts parts) => CheckRecorder.Run(Title, Plan, parts, r =>
    {
        bool nothingYet = parts.ActivationHook is null && parts.GradientHook is null && parts.Cam is null && parts.GradCam is null && parts.Overlay is null;
        foreach (var (piece, problem) in parts.Problems)
            r.Fail($"finds {piece}", nothingYet ? FindingCodes.NotImplemented : FindingCodes.NotFound, nothingYet ? $"not yet implemented: {problem}" : problem,
                "Name your types and methods exactly as the specification does, make them public, and run the cell that declares them before this one.");
        Piece(r, "ActivationHook", parts.ActivationHook, ForwardHookExercise.Run);
        Piece(r, "GradientHook", parts.GradientHook, BackwardHookExercise.Run);
        Piece(r, "MyMaps.Cam", parts.Cam, CamExercise.Run);
        Piece(r, "MyMaps.GradCam", parts.GradCam, GradCamExercise.Run);
        Piece(r, "MyMaps.Overlay", parts.Overlay, OverlayExercise.Run);
        if (parts.GradCam is not null && parts.Overlay is not null) EndToEnd(r, parts.GradCam, parts.Overlay);
    });

    /// <summary>Runs one piece's exercise check with the real model snapshotted and restored, and copies its findings.</summary>
    private static void Piece<T>(CheckRecorder r, string name, T? piece, Func<T, CheckResult> check) where T : class
    {
        if (piece is null) return;
        // Changes reported and undone at the end, as in exercise 4: eval() is fine, the check gives the mode back.
        using var guard = ModelSnapshot.Guard(r, ExerciseData.Model, " (the real network)", $"{name}: ");
        foreach (var f in check(piece).Findings) r.Add(f with { Criterion = $"{name}: {f.Criterion}" });
    }

    /// <summary>The learner's Grad-CAM drawn with the learner's overlay on the real photo, against the library's picture.</summary>
    private static void EndToEnd(CheckRecorder r, GradCamFunction gradCam, OverlayFunction overlay)
    {
        // The hints may say the pieces passed alone only if they did.
        var failedPieces = new[] { "MyMaps.GradCam", "MyMaps.Overlay" }.Where(p => r.Findings.Any(f => !f.Passed && f.Criterion.StartsWith($"{p}:"))).ToList();
        string together = failedPieces.Count == 0
            ? "Each piece passed alone; look at what your Grad-CAM returns for this layer and what your overlay expects."
            : $"{string.Join(" and ", failedPieces)} did not meet {(failedPieces.Count == 1 ? "its" : "their")} own criteria above, and the picture is made from them: fix those first.";
        var model = ExerciseData.Model;
        var photo = ExerciseData.Photo(ExerciseData.CatPhoto);
        var batch = ExerciseData.Batch(ExerciseData.CatPhoto);
        foreach (var layerName in new[] { "body.layer4", "body.layer3" })
        {
            string criterion = $"your Grad-CAM of {layerName[5..]} drawn with your overlay on the cat photo";
            using var reference = Maps.GradCam.Compute(model, layerName, batch, [1]);
            var expected = MapOverlay.Blend(photo, reference.Maps[0], Colormap.Magma, 0.6);
            using var snapshot = ModelSnapshot.Take(model);
            var layer = ModuleLookup.FindTensorModule(model, layerName);
            bool ran = r.TryLearner(criterion, () => overlay(photo.clone(), gradCam(model, layer, batch.clone(), 1), Colormap.Magma, 0.6),
                out var picture, together, e => GradCamExercise.HeadWeightsMismatch(criterion, model, layer, batch, 1, e));
            snapshot.Restore();
            if (!ran || !TensorComparison.Compare(r, criterion, picture, expected,
                    new(failedPieces.Count == 0 ? "Your pieces agree with the library one by one; together they should too." : together), close: OverlayExercise.Close)) return;
        }
    }
}
