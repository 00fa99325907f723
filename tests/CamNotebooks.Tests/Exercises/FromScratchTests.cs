using CamNotebooks.Exercises;
using CamNotebooks.Heatmaps;
using CamNotebooks.Hooks;
using CamNotebooks.Tests.Notebooks;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Exercises;

/// <summary>The capstone's answer, as in notebooks/exercises/solutions/07_from_scratch.dib: no library hooks, found by name.</summary>
public static class CapstoneAnswer
{
    public class ActivationHook : IDisposable
    {
        private readonly Action _remove;
        public Tensor? Stored { get; private set; }

        public ActivationHook(Module<Tensor, Tensor> layer) =>
            _remove = layer.register_forward_hook((module, input, output) =>
            {
                Stored?.Dispose();
                Stored = output.detach().clone();
                return null!;
            }).remove;

        public void Dispose() => _remove();
    }

    public class Tap : GuardedFunction<Tap>
    {
        public override string Name => "CapstoneTap";

        protected override Tensor Forward(AutogradContext ctx, object[] inputs)
        {
            ctx.save_data("hook", inputs[1]);
            return ((Tensor)inputs[0]).alias();
        }

        protected override List<Tensor> Backward(AutogradContext ctx, Tensor gradient)
        {
            ((GradientHook)ctx.get_data("hook")).Keep(gradient);
            return [gradient, null!];
        }
    }

    public class GradientHook : IDisposable
    {
        private readonly Action _remove;
        public Tensor? Stored { get; private set; }

        public GradientHook(Module<Tensor, Tensor> layer) =>
            _remove = layer.register_forward_hook((module, input, output) => Tap.apply(output, this)).remove;

        public void Keep(Tensor gradient)
        {
            Stored?.Dispose();
            Stored = gradient.detach().clone();
        }

        public void Dispose() => _remove();
    }

    public static class MyMaps
    {
        public static Tensor Cam(Tensor activations, Tensor weights, int classIndex) => einsum("ck,kij->cij", weights, activations)[classIndex];

        public static Tensor GradCam(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, Tensor image, int classIndex)
        {
            bool wasTraining = model.training;
            model.eval();
            try
            {
                using var activations = new ActivationHook(layer);
                using var gradients = new GradientHook(layer);
                model.call(image.detach().clone().requires_grad_(true))[0, classIndex].backward();
                using var _ = no_grad();
                return (gradients.Stored!.mean([2, 3], keepdim: true) * activations.Stored!).sum(1).relu()[0];
            }
            finally { model.train(wasTraining); }
        }

        public static Tensor Overlay(Tensor image, Tensor map, Colormap colormap, double alpha) => Solutions.Overlay(image, map, colormap, alpha);
    }
}

/// <summary>
/// The capstone in other correct styles: a constructor with an optional second parameter, Stored as a field, an explicit
/// Dispose, a gradient hook built on retain_grad, Grad-CAM through autograd.grad, CAM by matmul, the library-free overlay.
/// </summary>
public static class CapstoneOtherStyle
{
    public sealed class ActivationHook : IDisposable
    {
        private readonly Action _remove;
        public Tensor? Stored;

        public ActivationHook(Module<Tensor, Tensor> layer, bool keepCopy = true) =>
            _remove = layer.register_forward_hook((m, i, o) => { Stored = keepCopy ? o.detach().clone() : o; return null!; }).remove;

        void IDisposable.Dispose() => _remove();
    }

    public sealed class GradientHook : IDisposable
    {
        private readonly Action _remove;
        private Tensor? _output;

        public GradientHook(Module<Tensor, Tensor> layer) =>
            _remove = layer.register_forward_hook((m, i, o) => { o.retain_grad(); _output = o.alias(); return null!; }).remove;

        public Tensor? Stored => _output?.grad?.detach().clone();

        public void Dispose() => _remove();
    }

    public static class MyMaps
    {
        public static Tensor Cam(Tensor activations, Tensor weights, int classIndex) =>
            weights[classIndex].matmul(activations.flatten(1)).reshape(activations.shape[1], activations.shape[2]);

        public static Tensor GradCam(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, Tensor image, int classIndex)
        {
            bool wasTraining = model.training;
            model.eval();
            Tensor? kept = null;
            var remover = layer.register_forward_hook((m, i, o) => { kept = o.alias(); return null!; });
            try
            {
                var scores = model.call(image.detach().clone().requires_grad_(true));
                var gradient = autograd.grad([scores[0, classIndex]], [kept!])[0];
                using var _ = no_grad();
                return einsum("k,kij->ij", gradient[0].mean([1, 2]), kept![0]).relu();
            }
            finally { remover.remove(); model.train(wasTraining); }
        }

        public static Tensor Overlay(Tensor image, Tensor map, Colormap colormap, double alpha) =>
            CorrectStyles.Overlay["lerp"](image, map, colormap, alpha);
    }
}

/// <summary>Pieces with the right names but not the specification's shape, for "what it could not find".</summary>
public static class CapstoneMisnamed
{
    /// <summary>Keeps its tensor in Output, not Stored, and takes no layer.</summary>
    public class ActivationHook : IDisposable
    {
        public Tensor? Output { get; set; }
        public void Dispose() { }
    }

    public static class MyMaps
    {
        public static Tensor Cam(Tensor activations, Tensor weights, int classIndex) => CapstoneAnswer.MyMaps.Cam(activations, weights, classIndex);

        /// <summary>float alpha instead of double.</summary>
        public static Tensor Overlay(Tensor image, Tensor map, Colormap colormap, float alpha) => Solutions.Overlay(image, map, colormap, alpha);
    }
}

/// <summary>The capstone: the answer passes, found by name; what is missing is named; typical wrong capstones get their diagnoses.</summary>
[Collection(ExerciseCollection.Name)]
public class FromScratchTests
{
    private static FromScratchParts Answer(Func<Module<Tensor, Tensor>, ExerciseHook>? activationHook = null,
        Func<Module<Tensor, Tensor>, ExerciseHook>? gradientHook = null, CamFunction? cam = null, GradCamFunction? gradCam = null,
        OverlayFunction? overlay = null)
    {
        var found = FromScratchParts.Find(typeof(CapstoneAnswer).GetNestedTypes());
        return new FromScratchParts
        {
            ActivationHook = activationHook ?? found.ActivationHook,
            GradientHook = gradientHook ?? found.GradientHook,
            Cam = cam ?? found.Cam,
            GradCam = gradCam ?? found.GradCam,
            Overlay = overlay ?? found.Overlay,
        };
    }

    [Fact]
    public void The_answer_is_found_by_name_and_passes()
    {
        var parts = FromScratchParts.Find(typeof(CapstoneAnswer).GetNestedTypes());
        Assert.Empty(parts.Problems);
        var result = Check.FromScratch(parts);
        Assert.True(result.Passed, result.ToString());
        Assert.Contains(result.Findings, f => f.Criterion.StartsWith("your Grad-CAM of layer3 drawn with your overlay"));
        Assert.Contains(result.Findings, f => f.Criterion.StartsWith("MyMaps.GradCam: map for the batch-norm network"));
    }

    [Fact]
    public void Another_correct_style_is_found_and_passes()
    {
        var parts = FromScratchParts.Find(typeof(CapstoneOtherStyle).GetNestedTypes());
        Assert.Empty(parts.Problems);
        var result = Check.FromScratch(parts);
        Assert.True(result.Passed, result.ToString());
    }

    /// <summary>
    /// Exercise 4 and the capstone state one rule in the same words and check it the same way: a Grad-CAM that switches the
    /// model to eval mode and leaves it there (as the book does) passes both, and both say eval() is fine.
    /// </summary>
    [Fact]
    public void Eval_left_on_is_fine_in_the_capstone_as_in_exercise_4_and_both_say_so_in_the_same_words()
    {
        const string rule = "batch-norm statistics, weights and `requires_grad` untouched. Switching to eval mode is fine";
        foreach (var notebook in new[] { "04_grad_cam.dib", "07_from_scratch.dib" })
            Assert.Contains(rule, File.ReadAllText(Path.Combine(Repository.Root, "notebooks", "exercises", notebook)));
        var evalFirst = CorrectStyles.GradCam["eval() first, as the book does"];
        var found = FromScratchParts.Find(typeof(CapstoneAnswer).GetNestedTypes());
        var capstone = Check.FromScratch(new FromScratchParts
        {
            ActivationHook = found.ActivationHook, GradientHook = found.GradientHook, Cam = found.Cam, Overlay = found.Overlay, GradCam = evalFirst,
        });
        foreach (var result in new[] { Check.GradCam(evalFirst), capstone })
        {
            Assert.True(result.Passed, result.ToString());
            Assert.Contains(result.Findings, f => f.Detail.Contains("eval() is fine"));
        }
    }

    [Fact]
    public void Nothing_written_yet_is_not_implemented_and_lists_the_criteria()
    {
        var result = Check.FromScratch(FromScratchParts.Find([]));
        Assert.True(result.NotImplemented, result.ToString());
        Assert.Equal(3, result.Failures.Count);
        Assert.Contains("What this check will test:", result.ToString());
        Assert.Contains(result.Failures, f => f.Detail.Contains("no class named MyMaps"));
    }

    [Fact]
    public void What_has_another_shape_is_named_with_what_the_spec_expects()
    {
        var types = typeof(CapstoneMisnamed).GetNestedTypes().Append(typeof(CapstoneAnswer.GradientHook));
        var result = Check.FromScratch(FromScratchParts.Find(types));
        Assert.False(result.NotImplemented);
        var hook = Assert.Single(result.Failures, f => f.Criterion == "finds ActivationHook");
        Assert.Equal(FindingCodes.NotFound, hook.Code);
        Assert.Contains("a public constructor taking the layer", hook.Detail);
        Assert.Contains("property (or field) Stored", hook.Detail);
        var overlay = Assert.Single(result.Failures, f => f.Criterion == "finds MyMaps.Overlay");
        Assert.Contains("another signature", overlay.Detail);
        var gradCam = Assert.Single(result.Failures, f => f.Criterion == "finds MyMaps.GradCam");
        Assert.Contains("no static method GradCam", gradCam.Detail);
        // What was found is still checked: the answer's GradientHook and Cam pass.
        Assert.Contains(result.Findings, f => f.Passed && f.Criterion.StartsWith("GradientHook: captures the gradient"));
        Assert.Contains(result.Findings, f => f.Passed && f.Criterion.StartsWith("MyMaps.Cam: map for the cat photo"));
    }

    public static TheoryData<string, string> WrongCapstones => new()
    {
        { "activation hook not detached", FindingCodes.NotDetached },
        { "activation hook never removed", FindingCodes.HookNotRemoved },
        { "gradient hook stores the activations", FindingCodes.CapturedActivations },
        { "gradient hook doubles the gradient", FindingCodes.GradientAltered },
        { "CAM divided by h·w", FindingCodes.AveragedOverPositions },
        { "CAM with transposed weights", FindingCodes.TransposedWeights },
        { "Grad-CAM without eval()", FindingCodes.TrainingMode },
        { "Grad-CAM in train() mode, restored", FindingCodes.BatchNormStatsChanged },
        { "Grad-CAM of a cross-entropy loss", FindingCodes.UsedLoss },
        { "Grad-CAM leaves its hooks", FindingCodes.HookNotRemoved },
        { "overlay with alpha swapped", FindingCodes.AlphaSwapped },
        { "Grad-CAM of the sum of all scores", FindingCodes.AllScores },
        { "Grad-CAM leaves autograd off", FindingCodes.GradModeChanged },
        { "activation hook keeps the layer's input", FindingCodes.CapturedInput },
    };

    [Theory]
    [MemberData(nameof(WrongCapstones))]
    public void A_wrong_capstone_gets_its_diagnosis(string mistake, string code)
    {
        GradCamFunction GradCamWith(Func<Tensor, Tensor> score, bool eval = true, bool train = false, bool dispose = true) => (m, l, x, c) =>
        {
            using var mode = train ? ModelModeScope.Train(m) : eval ? ModelModeScope.Eval(m) : null;
            var activations = new CapstoneAnswer.ActivationHook(l);
            var gradients = new CapstoneAnswer.GradientHook(l);
            score(m.call(x.detach().clone().requires_grad_(true))[.., ..]).backward();
            var map = (gradients.Stored!.mean([2, 3], keepdim: true) * activations.Stored!).sum(1).relu()[0].detach();
            if (dispose) { activations.Dispose(); gradients.Dispose(); }
            return map;
        };
        FromScratchParts parts = mistake switch
        {
            "activation hook not detached" => Answer(activationHook: l => new WrongOutputHook(l, WrongOutputHook.Mistake.ForgotDetach)),
            "activation hook never removed" => Answer(activationHook: l => new WrongOutputHook(l, WrongOutputHook.Mistake.NeverRemoved)),
            "gradient hook stores the activations" => Answer(gradientHook: l => new WrongGradientHook(l, WrongGradientHook.Mistake.StoresActivations)),
            "gradient hook doubles the gradient" => Answer(gradientHook: l => new WrongGradientHook(l, WrongGradientHook.Mistake.DoublesGradient)),
            "CAM divided by h·w" => Answer(cam: (a, w, c) => einsum("ck,kij->cij", w, a)[c] / (a.shape[1] * a.shape[2])),
            "CAM with transposed weights" => Answer(cam: (a, w, c) => einsum("kc,kij->cij", w, a)[c]),
            "Grad-CAM without eval()" => Answer(gradCam: (m, l, x, c) => GradCamWith(s => s[0, c], eval: false)(m, l, x, c)),
            "Grad-CAM in train() mode, restored" => Answer(gradCam: (m, l, x, c) => GradCamWith(s => s[0, c], train: true)(m, l, x, c)),
            "Grad-CAM of a cross-entropy loss" => Answer(gradCam: (m, l, x, c) =>
                GradCamWith(s => nn.functional.cross_entropy(s, tensor(new long[] { c })))(m, l, x, c)),
            "Grad-CAM leaves its hooks" => Answer(gradCam: (m, l, x, c) => GradCamWith(s => s[0, c], dispose: false)(m, l, x, c)),
            "overlay with alpha swapped" => Answer(overlay: (i, m, cm, a) => Solutions.Overlay(i, m, cm, 1 - a)),
            "Grad-CAM of the sum of all scores" => Answer(gradCam: (m, l, x, c) => GradCamWith(s => s.sum())(m, l, x, c)),
            "Grad-CAM leaves autograd off" => Answer(gradCam: (m, l, x, c) => { var map = GradCamWith(s => s[0, c])(m, l, x, c); no_grad(); return map; }),
            "activation hook keeps the layer's input" => Answer(activationHook: l => new WrongOutputHook(l, WrongOutputHook.Mistake.CapturedInput)),
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        var result = Check.FromScratch(parts);
        Assert.False(result.Passed, result.ToString());
        Assert.True(result.Codes.Contains(code), $"expected [{code}], got [{string.Join(", ", result.Codes)}]\n{result}");
        Assert.All(result.Failures, f => Assert.False(string.IsNullOrWhiteSpace(f.Hint)));
        // Whatever the learner's pieces did, the real network is as it was.
        var model = ExerciseData.Model;
        Assert.False(model.training);
        Assert.True(Check.GradCam(Solutions.GradCamOf).Passed);
    }
}
