using CamNotebooks.Exercises;
using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Exercises;

/// <summary>
/// A check never leaves the kernel changed: after each answer that switches something global or changes the model and
/// does not switch it back, autograd works (a fresh backward()), the library's Grad-CAM gives the map it gave before, and
/// the real network is as it was (modes, requires_grad, batch-norm statistics, weights, hooks).
/// </summary>
[Collection(ExerciseCollection.Name)]
public class KernelStateTests
{
    private static Tensor Map(Module<Tensor, Tensor> model, Tensor batch)
    {
        using var result = CamNotebooks.Maps.GradCam.Compute(model, "body.layer4", batch, [1]);
        return result.Maps[0].detach().clone();
    }

    public static TheoryData<string> SideEffects => new(Answers.Keys);

    /// <summary>Answers that leave something behind, each run through its exercise's check.</summary>
    private static readonly Dictionary<string, Func<CheckResult>> Answers = new()
    {
        ["Grad-CAM: inference_mode() without using"] = () => Check.GradCam((m, l, x, c) =>
        {
            var map = Solutions.GradCamOf(m, l, x, c);
            inference_mode();
            return map;
        }),
        ["Grad-CAM: inference_mode() for the whole function, never disposed"] = () => Check.GradCam((m, l, x, c) =>
        {
            var map = Solutions.GradCamOf(m, l, x, c);
            var guard = inference_mode();
            return map.clone();
        }),
        ["Grad-CAM: no_grad() without using"] = () => Check.GradCam((m, l, x, c) => { var map = Solutions.GradCamOf(m, l, x, c); no_grad(); return map; }),
        ["Grad-CAM: set_grad_enabled(false)"] = () => Check.GradCam((m, l, x, c) => { var map = Solutions.GradCamOf(m, l, x, c); set_grad_enabled(false); return map; }),
        ["Grad-CAM: train() left on"] = () => Check.GradCam((m, l, x, c) => { var map = Solutions.GradCamOf(m, l, x, c); m.train(); return map; }),
        ["Grad-CAM: every parameter made to require grad"] = () => Check.GradCam((m, l, x, c) =>
        {
            foreach (var p in m.parameters()) p.requires_grad = true;
            return Solutions.GradCamOf(m, l, x, c);
        }),
        ["Grad-CAM: a hook left on the layer"] = () => Check.GradCam((m, l, x, c) => { l.register_forward_hook((_, _, _) => null!); return Solutions.GradCamOf(m, l, x, c); }),
        ["Grad-CAM: a pass in training mode (batch-norm statistics)"] = () => Check.GradCam((m, l, x, c) =>
        {
            using (ModelModeScope.Train(m)) using (no_grad()) m.call(x);
            return Solutions.GradCamOf(m, l, x, c);
        }),
        ["Grad-CAM: a weight nudged"] = () => Check.GradCam((m, l, x, c) =>
        {
            using (no_grad()) m.parameters().Last().add_(0.01f);
            return Solutions.GradCamOf(m, l, x, c);
        }),
        ["Grad-CAM: inference mode and train() and a hook, all at once"] = () => Check.GradCam((m, l, x, c) =>
        {
            var map = Solutions.GradCamOf(m, l, x, c);
            l.register_forward_hook((_, _, _) => null!);
            m.train();
            inference_mode();
            return map;
        }),
        ["forward hook: inference_mode() in the constructor"] = () => Check.ForwardHook(layer => { inference_mode(); return new OutputHook(layer); }),
        ["forward hook: inference_mode() inside the hook"] = () => Check.ForwardHook(layer => new InferenceHook(layer)),
        ["forward hook: the layer put in training mode"] = () => Check.ForwardHook(layer => new WrongOutputHook(layer, WrongOutputHook.Mistake.PutsLayerInTraining)),
        ["backward hook: no_grad() in the constructor"] = () => Check.BackwardHook(layer => { no_grad(); return new GradientHook(layer); }),
        ["CAM: inference_mode() without using"] = () => Check.Cam((a, w, c) => { inference_mode(); return Solutions.Cam(a, w, c); }),
        ["overlay: inference_mode() without using"] = () => Check.Overlay((i, m, cm, a) => { inference_mode(); return Solutions.Overlay(i, m, cm, a); }),
        ["keepdim: inference_mode() without using"] = () => Check.Keepdim((a, g) => { inference_mode(); return Solutions.GradCamWithoutKeepdim(a, g); }),
        ["capstone: Grad-CAM leaves inference mode on"] = () =>
        {
            var found = FromScratchParts.Find(typeof(CapstoneAnswer).GetNestedTypes());
            return Check.FromScratch(new FromScratchParts
            {
                ActivationHook = found.ActivationHook, GradientHook = found.GradientHook, Cam = found.Cam, Overlay = found.Overlay,
                GradCam = (m, l, x, c) => { var map = CapstoneAnswer.MyMaps.GradCam(m, l, x, c); inference_mode(); return map; },
            });
        },
    };

    [Theory, MemberData(nameof(SideEffects))]
    public void After_a_side_effecting_answer_the_kernel_is_usable(string answer)
    {
        var model = ExerciseData.Model;
        var batch = ExerciseData.Batch(ExerciseData.CatPhoto);
        var mapBefore = Map(model, batch);
        var modes = model.modules().Select(m => m.training).Prepend(model.training).ToList();
        var flags = model.parameters().Select(p => p.requires_grad).ToList();
        var state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

        var result = Answers[answer]();

        Assert.False(result.Passed, result.ToString());
        Assert.All(result.Failures, f => Assert.False(string.IsNullOrWhiteSpace(f.Hint)));
        if (answer.Contains("inference")) Assert.Contains(FindingCodes.InferenceModeChanged, result.Codes);
        Assert.False(is_inference_mode_enabled(), $"inference mode is still on after:\n{result}");
        Assert.True(is_grad_enabled(), $"autograd is still off after:\n{result}");
        // A fresh graph differentiates.
        var x = tensor(new float[] { 1, 2, 3 }).requires_grad_(true);
        (x * x).sum().backward();
        Assert.Equal([2f, 4f, 6f], x.grad!.data<float>().ToArray());
        // The library's Grad-CAM runs and gives the map it gave before; the network is as it was.
        Assert.True(TensorComparison.Close(Map(model, batch), mapBefore), "the library's Grad-CAM gives another map");
        Assert.Equal(modes, model.modules().Select(m => m.training).Prepend(model.training).ToList());
        Assert.Equal(flags, model.parameters().Select(p => p.requires_grad).ToList());
        Assert.All(model.state_dict(), kv => Assert.True(kv.Value.eq(state[kv.Key]).all().item<bool>(), kv.Key));
        Assert.Equal(0, HookRegistry.Snapshot(model).Values.Sum(keys => keys.Count));
        // And the next attempt, a correct answer, passes.
        Assert.True(Check.GradCam(Solutions.GradCamOf).Passed);
    }

    /// <summary>A forward hook whose callback switches inference mode on and leaves it on.</summary>
    private sealed class InferenceHook : ExerciseHook
    {
        private readonly Action _remove;

        public InferenceHook(Module<Tensor, Tensor> layer) =>
            _remove = layer.register_forward_hook((_, _, output) => { inference_mode(); Stored = output.detach().clone(); return null!; }).remove;

        public override void Dispose() => _remove();
    }
}
