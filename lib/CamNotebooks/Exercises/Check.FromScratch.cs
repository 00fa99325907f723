using CamNotebooks.Heatmaps;
using static TorchSharp.torch;

namespace CamNotebooks.Exercises;

public static partial class Check
{
    private const string FromScratchTitle = "Exercise 7: everything from scratch";

    /// <summary>
    /// The capstone: finds the learner's pieces by the names the specification gives (<see cref="FromScratchParts.Find()"/>)
    /// and checks them all.
    /// </summary>
    public static CheckResult FromScratch() => FromScratch(FromScratchParts.Find());

    /// <summary>
    /// The capstone's check: says what it could not find, then drives each piece found through the same criteria as its
    /// exercise (the hook on the real layer4, the gradient hook on layer3, CAM and Grad-CAM on layer4 and layer3 of the real
    /// network, the overlay on the real photo), with the model snapshotted and restored around each, and finally the
    /// learner's whole pipeline end to end: their Grad-CAM of the cat photo at layer4 and layer3 drawn with their overlay,
    /// compared with the library's picture. Each criterion is prefixed with the piece it is about.
    /// </summary>
    public static CheckResult FromScratch(FromScratchParts parts) => Run(FromScratchTitle, r =>
    {
        ArgumentNullException.ThrowIfNull(parts);
        bool nothingYet = parts.ActivationHook is null && parts.GradientHook is null && parts.Cam is null && parts.GradCam is null && parts.Overlay is null;
        foreach (var (piece, problem) in parts.Problems)
            r.Fail($"finds {piece}", nothingYet ? FindingCodes.NotImplemented : FindingCodes.NotFound,
                nothingYet ? $"not yet implemented: {problem}" : problem,
                "Name your types and methods exactly as the specification does, make them public, and run the cell that declares them before this one.");
        Piece(r, "ActivationHook", parts.ActivationHook, hook => ForwardHook(hook));
        Piece(r, "GradientHook", parts.GradientHook, hook => BackwardHook(hook));
        Piece(r, "MyMaps.Cam", parts.Cam, cam => Cam(cam));
        Piece(r, "MyMaps.GradCam", parts.GradCam, gradCam => GradCam(gradCam));
        Piece(r, "MyMaps.Overlay", parts.Overlay, overlay => Overlay(overlay));
        if (parts.GradCam is not null && parts.Overlay is not null) EndToEnd(r, parts.GradCam, parts.Overlay);
    });

    /// <summary>Runs one piece's exercise check with the real model snapshotted and restored, and copies its findings.</summary>
    private static void Piece<T>(CheckRecorder r, string name, T? piece, Func<T, CheckResult> check) where T : class
    {
        if (piece is null) return;
        using var snapshot = ModelSnapshot.Take(ExerciseData.Model);
        var result = check(piece);
        foreach (var f in result.Findings) r.Add(f with { Criterion = $"{name}: {f.Criterion}" });
        foreach (var change in snapshot.Changes(allowEval: true)) // the rule of exercise 4: eval() is fine, the check gives the mode back
            r.Fail($"{name}: {change.Criterion} (the real network)", change.Code, change.Detail, change.Hint);
        snapshot.Restore();
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
            Tensor expected;
            using (var reference = Maps.GradCam.Compute(model, layerName, batch, [1]))
                expected = HeatmapMath.Blend(photo, HeatmapMath.Upsample(HeatmapMath.Normalize(reference.Maps[0]), photo.shape[1], photo.shape[2]),
                    Colormap.Magma, 0.6);
            using var snapshot = ModelSnapshot.Take(model);
            bool ran = r.TryLearner(criterion, () => overlay(photo.clone(), gradCam(model, Layer(model, layerName), batch.clone(), 1), Colormap.Magma, 0.6),
                out var picture, together);
            snapshot.Restore();
            if (!ran) return;
            if (!TensorComparison.Compare(r, criterion, picture, expected, new(failedPieces.Count == 0 ? "Your pieces agree with the library one by one; together they should too." : together),
                    close: OverlayClose)) return;
        }
    }
}
