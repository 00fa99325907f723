using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>
/// The exercise checks, one call per exercise: each runs your implementation next to the library's reference on small
/// hand-built cases and on the real network and photos (<see cref="ExerciseData"/>), and returns a <see cref="CheckResult"/>
/// saying what is right and, for what is not, what differs and which idea to revisit. A check never throws because of your
/// code: an exception in it becomes a finding.
/// </summary>
public static class Check
{
    /// <summary>Exercise 1: a hook that keeps a detached copy of a layer's output in Stored and unregisters in Dispose (<c>Check.ForwardHook(layer =&gt; new MyHook(layer))</c>).</summary>
    public static CheckResult ForwardHook(Func<Module<Tensor, Tensor>, ExerciseHook> createHook) => ForwardHookExercise.Run(createHook);

    /// <summary>Exercise 2: CAM of one image (activations [K, h, w], head weight [C, K], class → map [h, w]).</summary>
    public static CheckResult Cam(CamFunction cam) => CamExercise.Run(cam);

    /// <summary>Exercise 3: a hook that keeps the gradient of a layer's output in Stored during backward() and unregisters in Dispose.</summary>
    public static CheckResult BackwardHook(Func<Module<Tensor, Tensor>, ExerciseHook> createHook) => BackwardHookExercise.Run(createHook);

    /// <summary>Exercise 4: Grad-CAM at any layer (model, layer, one-image batch, class → map [h, w]); the model is checked and restored.</summary>
    public static CheckResult GradCam(GradCamFunction gradCam) => GradCamExercise.Run(gradCam);

    /// <summary>Exercise 5: a raw map laid over a photo (image [3, H, W] 0..255, map [h, w], colormap, alpha → RGB [3, H, W]).</summary>
    public static CheckResult Overlay(OverlayFunction overlay) => OverlayExercise.Run(overlay);

    /// <summary>Exercise 6: Grad-CAM of a batch without keepdim ([N, K, h, w] twice → [N, h, w]); the check cannot see keepdim, the exercise asks.</summary>
    public static CheckResult Keepdim(GradCamFormula formula) => KeepdimExercise.Run(formula);

    /// <summary>Exercise 8: CAM of one sentence (activations [K, L], head weight [C, K], class → map [L]).</summary>
    public static CheckResult TextCam(CamFunction textCam) => TextCamExercise.Run(textCam);

    /// <summary>Exercise 7, the capstone: finds your pieces by the specification's names (<see cref="FromScratchParts.Find()"/>) and checks them all.</summary>
    public static CheckResult FromScratch() => FromScratch(FromScratchParts.Find());

    /// <summary>The capstone's check of <paramref name="parts"/>: each piece by its exercise's criteria, then the pipeline end to end.</summary>
    public static CheckResult FromScratch(FromScratchParts parts) => FromScratchExercise.Run(parts);
}
