using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>
/// The exercise checks, one call per exercise: each runs your implementation next to the library's reference on small
/// hand-built cases and on the real network and photos (<see cref="ExerciseData"/>), and returns a <see cref="CheckResult"/>
/// saying what is right and, for what is not, what differs and which idea to revisit. A check never throws because of your
/// code: an exception in it becomes a finding. Each exercise is its own type (<c>CamExercise</c>...): its cases, its
/// criteria and its known mistakes, as tables.
/// </summary>
public static class Check
{
    /// <summary>
    /// Exercise 1: a hook class that keeps a detached copy of a layer's output in <see cref="ExerciseHook.Stored"/> and
    /// unregisters itself in Dispose, e.g. <c>Check.ForwardHook(layer =&gt; new MyHook(layer))</c>. Compared with
    /// <c>CamNotebooks.Hooks.Hook</c> on a conv followed by an in-place ReLU, then on the real ResNet's layer4 and two photos.
    /// </summary>
    public static CheckResult ForwardHook(Func<Module<Tensor, Tensor>, ExerciseHook> createHook) => ForwardHookExercise.Run(createHook);

    /// <summary>
    /// Exercise 2: a CAM function (activations [K, h, w], head weight [C, K], class → map [h, w]) against
    /// <see cref="Maps.ClassActivationMap"/> on hand-built cases and the real layer4; known transforms of the reference are named.
    /// </summary>
    public static CheckResult Cam(CamFunction cam) => CamExercise.Run(cam);

    /// <summary>
    /// Exercise 3: a hook class that captures the gradient of a layer's output during backward() in
    /// <see cref="ExerciseHook.Stored"/> and unregisters itself in Dispose; compared with <c>CamNotebooks.Hooks.BackwardHook</c>.
    /// </summary>
    public static CheckResult BackwardHook(Func<Module<Tensor, Tensor>, ExerciseHook> createHook) => BackwardHookExercise.Run(createHook);

    /// <summary>
    /// Exercise 4: a Grad-CAM function (model, layer, one-image batch, class → map [h, w]) against <see cref="Maps.GradCam"/> on
    /// hand-built networks (one with batch normalisation, in training mode) and the real classifier at layer4 and layer3. The
    /// model is snapshotted before each call; every change is its own criterion, and the model is restored.
    /// </summary>
    public static CheckResult GradCam(GradCamFunction gradCam) => GradCamExercise.Run(gradCam);

    /// <summary>
    /// Exercise 5: an overlay function (image [3, H, W] 0..255, raw map [h, w], colormap, alpha → RGB [3, H, W]) against
    /// <see cref="Heatmaps.HeatmapMath"/> on a hand-built non-square case and the cat photo with its Grad-CAM map.
    /// </summary>
    public static CheckResult Overlay(OverlayFunction overlay) => OverlayExercise.Run(overlay);

    /// <summary>
    /// Exercise 6: a batch Grad-CAM formula without <c>keepdim</c> ([N, K, h, w] twice → [N, h, w]) against
    /// <see cref="Maps.GradCam.Formula"/>, first on a trap case where N = h and K = w, then on real layer4 tensors of two photos.
    /// </summary>
    /// <remarks>The check cannot see whether your code uses keepdim; the exercise asks you not to.</remarks>
    public static CheckResult Keepdim(GradCamFormula formula) => KeepdimExercise.Run(formula);

    /// <summary>
    /// Exercise 8: a text CAM function (activations [K, L], head weight [C, K], class → map [L]) against
    /// <see cref="Maps.ClassActivationMap"/> on the sentence as a 1 x L grid: a hand-built case and a mail-sized one.
    /// </summary>
    public static CheckResult TextCam(CamFunction textCam) => TextCamExercise.Run(textCam);

    /// <summary>The capstone (exercise 7): finds your pieces by the specification's names (<see cref="FromScratchParts.Find()"/>) and checks them all.</summary>
    public static CheckResult FromScratch() => FromScratch(FromScratchParts.Find());

    /// <summary>
    /// The capstone's check: says what it could not find, drives each piece found through its own exercise's check (the real
    /// model snapshotted and restored around each), then the whole pipeline end to end against the library's picture.
    /// </summary>
    public static CheckResult FromScratch(FromScratchParts parts) => FromScratchExercise.Run(parts);
}
