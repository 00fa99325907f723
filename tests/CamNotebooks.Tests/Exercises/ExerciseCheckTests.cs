using CamNotebooks.Exercises;
using CamNotebooks.Heatmaps;
using CamNotebooks.Hooks;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Exercises;

/// <summary>Exercise tests share the trained model and must not hook it at the same time.</summary>
[CollectionDefinition(Name)]
public sealed class ExerciseCollection
{
    public const string Name = "Exercises";
}

/// <summary>
/// Every exercise's answer passes its check, and typical wrong answers each fail with the diagnosis a learner needs.
/// </summary>
[Collection(ExerciseCollection.Name)]
public class ExerciseCheckTests
{
    private static void AssertPasses(CheckResult result)
    {
        Assert.True(result.Passed, result.ToString());
        Assert.DoesNotContain("✘", result.ToString());
    }

    private static void AssertDiagnosis(CheckResult result, string code)
    {
        Assert.False(result.Passed, result.ToString());
        Assert.True(result.Codes.Contains(code), $"expected [{code}], got [{string.Join(", ", result.Codes)}]\n{result}");
        Assert.All(result.Failures, f => Assert.False(string.IsNullOrWhiteSpace(f.Hint)));
    }

    // ---- Exercise 1 ----

    [Fact]
    public void Forward_hook_solution_passes() => AssertPasses(Check.ForwardHook(layer => new OutputHook(layer)));

    [Theory]
    [InlineData(WrongOutputHook.Mistake.NotImplemented, FindingCodes.NotImplemented)]
    [InlineData(WrongOutputHook.Mistake.ForgotDetach, FindingCodes.NotDetached)]
    [InlineData(WrongOutputHook.Mistake.DetachWithoutClone, FindingCodes.NotCloned)]
    [InlineData(WrongOutputHook.Mistake.CapturedInput, FindingCodes.CapturedInput)]
    [InlineData(WrongOutputHook.Mistake.NeverRemoved, FindingCodes.HookNotRemoved)]
    [InlineData(WrongOutputHook.Mistake.KeepsFirst, FindingCodes.Stale)]
    [InlineData(WrongOutputHook.Mistake.ChangesOutput, FindingCodes.OutputChanged)]
    [InlineData(WrongOutputHook.Mistake.NeverRegisters, FindingCodes.NothingStored)]
    [InlineData(WrongOutputHook.Mistake.ThrowsInHook, FindingCodes.Exception)]
    [InlineData(WrongOutputHook.Mistake.PutsLayerInTraining, FindingCodes.ModelChanged)]
    [InlineData(WrongOutputHook.Mistake.PutsLayerInTraining, FindingCodes.BatchNormStatsChanged)]
    [InlineData(WrongOutputHook.Mistake.Alias, FindingCodes.NotCloned)]
    [InlineData(WrongOutputHook.Mistake.DetachedCpuView, FindingCodes.NotCloned)]
    [InlineData(WrongOutputHook.Mistake.RemovesItselfAfterFirstPass, FindingCodes.Stale)]
    public void Forward_hook_mistakes_are_diagnosed(WrongOutputHook.Mistake mistake, string code) =>
        AssertDiagnosis(Check.ForwardHook(layer => new WrongOutputHook(layer, mistake)), code);

    [Fact]
    public void A_hook_left_registered_is_removed_by_the_check()
    {
        var body = ExerciseData.Classifier.Body;
        Check.ForwardHook(layer => new WrongOutputHook(layer, WrongOutputHook.Mistake.NeverRemoved));
        // If the check had not removed it, this hook-counting snapshot would still see it on layer4 (the real network's layer).
        var counts = typeof(Check).Assembly.GetType("CamNotebooks.Exercises.HookRegistry")!
            .GetMethod("Snapshot")!.Invoke(null, [body]) as System.Collections.IDictionary;
        int hooks = counts!.Values.Cast<System.Collections.IEnumerable>().Sum(c => c.Cast<object>().Count());
        Assert.Equal(0, hooks);
    }

    // ---- Exercise 2 ----

    [Fact]
    public void Cam_solution_passes() => AssertPasses(Check.Cam(Solutions.Cam));

    [Fact]
    public void Text_cam_solution_passes_in_other_correct_forms_too()
    {
        AssertPasses(Check.TextCam(Solutions.TextCam));
        AssertPasses(Check.TextCam((a, w, c) => w[c].matmul(a)));
        AssertPasses(Check.TextCam((a, w, c) => (w[c].unsqueeze(1) * a).sum(dim: 0)));
    }

    public static TheoryData<string, string> TextCamMistakes => new()
    {
        { "not implemented", FindingCodes.NotImplemented },
        { "all classes", FindingCodes.AllClasses },
        { "wrong class", FindingCodes.WrongClass },
        { "relu", FindingCodes.ReluApplied },
        { "mean over positions", FindingCodes.AveragedOverPositions },
        { "mean over channels", FindingCodes.AveragedOverChannels },
        { "grid row kept", FindingCodes.WrongShape },
        { "summed over the words", FindingCodes.WrongShape },
        { "in place", FindingCodes.ModifiedInput },
        { "float64", FindingCodes.WrongDtype },
    };

    [Theory]
    [MemberData(nameof(TextCamMistakes))]
    public void Text_cam_mistakes_are_diagnosed(string mistake, string code)
    {
        CamFunction textCam = mistake switch
        {
            "not implemented" => (a, w, c) => throw new NotImplementedException(),
            "all classes" => (a, w, c) => einsum("ck,kl->cl", w, a),
            "wrong class" => (a, w, c) => einsum("ck,kl->cl", w, a)[0],
            "relu" => (a, w, c) => einsum("ck,kl->cl", w, a)[c].relu(),
            "mean over positions" => (a, w, c) => einsum("ck,kl->cl", w, a)[c] / a.shape[1],
            "mean over channels" => (a, w, c) => einsum("ck,kl->cl", w, a)[c] / a.shape[0],
            "grid row kept" => (a, w, c) => einsum("ck,kl->cl", w, a)[c].unsqueeze(0),
            "summed over the words" => (a, w, c) => (w[c].unsqueeze(1) * a).sum(dim: 1),
            "in place" => (a, w, c) => { var map = w[c].matmul(a); a.mul_(2); return map; },
            "float64" => (a, w, c) => einsum("ck,kl->cl", w, a)[c].to(ScalarType.Float64),
            _ => throw new ArgumentException(mistake),
        };
        AssertDiagnosis(Check.TextCam(textCam), code);
    }

    public static TheoryData<string, string> CamMistakes => new()
    {
        { "not implemented", FindingCodes.NotImplemented },
        { "transposed weights", FindingCodes.TransposedWeights },
        { "wrong class", FindingCodes.WrongClass },
        { "all classes", FindingCodes.AllClasses },
        { "relu", FindingCodes.ReluApplied },
        { "mean over channels", FindingCodes.AveragedOverChannels },
        { "sum over a spatial dim", FindingCodes.WrongDims },
        { "transposed map", FindingCodes.Transposed },
        { "in place", FindingCodes.ModifiedInput },
        { "float64", FindingCodes.WrongDtype },
        { "sum(0)", FindingCodes.WrongDtype },
        { "index out of range", FindingCodes.Exception },
        { "divided by h·w", FindingCodes.AveragedOverPositions },
        { "min-max normalised", FindingCodes.Normalised },
        { "divided by its maximum", FindingCodes.Normalised },
        { "clamped to 0..1", FindingCodes.Clamped },
        { "softmax over positions", FindingCodes.SoftmaxOverPositions },
        { "reshape instead of permute", FindingCodes.ReshapedNotPermuted },
        { "map reshaped to [w, h] then transposed", FindingCodes.ReshapedNotPermuted },
        { "the class score, not a map", FindingCodes.WrongShape },
        { "a column of the weights", FindingCodes.TransposedWeights },
        { "relu on the activations first", FindingCodes.ReluApplied },
        { "relu on the class's weights", FindingCodes.ReluApplied },
        { "the weights softmaxed over the channels", FindingCodes.WrongValues },
        { "no_grad() without using", FindingCodes.GradModeChanged },
    };

    [Theory]
    [MemberData(nameof(CamMistakes))]
    public void Cam_mistakes_are_diagnosed(string mistake, string code)
    {
        CamFunction cam = mistake switch
        {
            "not implemented" => (a, w, c) => throw new NotImplementedException(),
            "transposed weights" => (a, w, c) => einsum("kc,kij->cij", w, a)[c],
            "wrong class" => (a, w, c) => einsum("ck,kij->cij", w, a)[(c + 1) % (int)w.shape[0]],
            "all classes" => (a, w, c) => einsum("ck,kij->cij", w, a),
            "relu" => (a, w, c) => einsum("ck,kij->cij", w, a)[c].relu(),
            "mean over channels" => (a, w, c) => (w[c].reshape(-1, 1, 1) * a).mean([0]),
            "sum over a spatial dim" => (a, w, c) => (w[c].reshape(-1, 1, 1) * a).sum(1),
            "transposed map" => (a, w, c) => einsum("ck,kij->cji", w, a)[c],
            "in place" => (a, w, c) => a.mul_(w[c].reshape(-1, 1, 1)).sum(dim: 0),
            "sum(0)" => (a, w, c) => (w[c].reshape(-1, 1, 1) * a).sum(0),
            "float64" => (a, w, c) => einsum("ck,kij->cij", w.to(ScalarType.Float64), a.to(ScalarType.Float64))[c],
            "index out of range" => (a, w, c) => einsum("ck,kij->cij", w, a)[c + 5],
            "divided by h·w" => (a, w, c) => einsum("ck,kij->cij", w, a)[c] / (a.shape[1] * a.shape[2]),
            "min-max normalised" => (a, w, c) => { var m = einsum("ck,kij->cij", w, a)[c]; return (m - m.min()) / (m.max() - m.min()); },
            "divided by its maximum" => (a, w, c) => { var m = einsum("ck,kij->cij", w, a)[c]; return m / m.max(); },
            "clamped to 0..1" => (a, w, c) => einsum("ck,kij->cij", w, a)[c].clamp(0, 1),
            "softmax over positions" => (a, w, c) => einsum("ck,kij->cij", w, a)[c].flatten().softmax(0).reshape(a.shape[1], a.shape[2]),
            "reshape instead of permute" => (a, w, c) => a.reshape(a.shape[1], a.shape[2], a.shape[0]).matmul(w[c]),
            "map reshaped to [w, h] then transposed" => (a, w, c) => w[c].matmul(a.reshape(a.shape[0], -1)).reshape(a.shape[2], a.shape[1]).T,
            "the class score, not a map" => (a, w, c) => (w[c] * a.mean([1, 2])).sum(),
            "a column of the weights" => (a, w, c) => einsum("k,kij->ij", w[.., c], a),
            "relu on the activations first" => (a, w, c) => einsum("k,kij->ij", w[c], a.relu()),
            "relu on the class's weights" => (a, w, c) => einsum("k,kij->ij", w[c].relu(), a),
            "no_grad() without using" => (a, w, c) => { no_grad(); return einsum("k,kij->ij", w[c], a); },
            "the weights softmaxed over the channels" => (a, w, c) => einsum("k,kij->ij", w[c].softmax(0), a),
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        AssertDiagnosis(Check.Cam(cam), code);
    }

    // ---- Exercise 3 ----

    [Fact]
    public void Backward_hook_solution_passes() => AssertPasses(Check.BackwardHook(layer => new GradientHook(layer)));

    [Theory]
    [InlineData(WrongGradientHook.Mistake.NotImplemented, FindingCodes.NotImplemented)]
    [InlineData(WrongGradientHook.Mistake.StoresActivations, FindingCodes.CapturedActivations)]
    [InlineData(WrongGradientHook.Mistake.DoublesGradient, FindingCodes.GradientAltered)]
    [InlineData(WrongGradientHook.Mistake.TapNotReturned, FindingCodes.NoGradient)]
    [InlineData(WrongGradientHook.Mistake.KeepsFirst, FindingCodes.Stale)]
    [InlineData(WrongGradientHook.Mistake.TapsInput, FindingCodes.WrongLayer)]
    [InlineData(WrongGradientHook.Mistake.NeverRemoved, FindingCodes.HookNotRemoved)]
    [InlineData(WrongGradientHook.Mistake.ThrowsInBackward, FindingCodes.Exception)]
    [InlineData(WrongGradientHook.Mistake.OneGradientOnly, FindingCodes.Exception)]
    [InlineData(WrongGradientHook.Mistake.ScalesByPositions, FindingCodes.AveragedOverPositions)]
    public void Backward_hook_mistakes_are_diagnosed(WrongGradientHook.Mistake mistake, string code) =>
        AssertDiagnosis(Check.BackwardHook(layer => new WrongGradientHook(layer, mistake)), code);

    // ---- Exercise 4 ----

    [Fact]
    public void Grad_cam_solution_passes() => AssertPasses(Check.GradCam(Solutions.GradCamOf));

    public static TheoryData<string, string> GradCamMistakes => new()
    {
        { "not implemented", FindingCodes.NotImplemented },
        { "missing relu", FindingCodes.MissingRelu },
        { "no averaging", FindingCodes.GradientsNotAveraged },
        { "mean over channels", FindingCodes.WrongDims },
        { "predicted class", FindingCodes.WrongClass },
        { "always layer4", FindingCodes.WrongLayer },
        { "probability", FindingCodes.UsedProbability },
        { "hooks left", FindingCodes.HookNotRemoved },
        { "upsampled", FindingCodes.WrongShape },
        { "not detached", FindingCodes.NotDetached },
        { "left in training mode", FindingCodes.ModelChanged },
        { "no requires_grad", FindingCodes.Exception },
        { "train() for the pass, mode restored", FindingCodes.BatchNormStatsChanged },
        { "forgot eval()", FindingCodes.TrainingMode },
        { "cross-entropy loss", FindingCodes.UsedLoss },
        { "log-softmax", FindingCodes.UsedProbability },
        { "the book's mean([1, 2])", FindingCodes.MeanOverWrongAxes },
        { "min-max normalised", FindingCodes.Normalised },
        { "softmax over positions", FindingCodes.SoftmaxOverPositions },
        { "autograd.grad on the output the hook kept", FindingCodes.DisposedTensor },
        { "requires_grad switched on", FindingCodes.RequiresGradChanged },
        { "a weight nudged", FindingCodes.ParametersChanged },
        { "gradients summed over the positions", FindingCodes.GradientsSummed },
        { "backward on the sum of all scores", FindingCodes.AllScores },
        { "relu on each term before the sum", FindingCodes.ReluTooEarly },
        { "relu on the channel weights instead of the map", FindingCodes.ReluTooEarly },
        { "activations from the layer's input", FindingCodes.CapturedInput },
        { "every class's backward, .grad never cleared", FindingCodes.AllScores },
        { "the caller's image made to require grad", FindingCodes.ModifiedInput },
        { "abs instead of relu", FindingCodes.MissingRelu },
        { "no_grad() without using", FindingCodes.GradModeChanged },
    };

    [Theory]
    [MemberData(nameof(GradCamMistakes))]
    public void Grad_cam_mistakes_are_diagnosed(string mistake, string code)
    {
        GradCamFunction gradCam = mistake switch
        {
            "not implemented" => (m, l, x, c) => throw new NotImplementedException(),
            "missing relu" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true) * a).sum(1)[0]),
            "no averaging" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g * a).sum(1).relu()[0]),
            "mean over channels" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([1], keepdim: true) * a).sum(1).relu()[0]),
            "predicted class" => (m, l, x, c) => Solutions.GradCamOf(m, l, x, (int)m.call(x).argmax(1).item<long>()),
            "always layer4" => (m, l, x, c) => Solutions.GradCamOf(m, ModuleLookup.FindTensorModule(m, m is TorchSharp.Modules.Sequential ? "features" : "body.layer4"), x, c),
            "probability" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true) * a).sum(1).relu()[0], probability: true),
            "hooks left" => (m, l, x, c) =>
            {
                var activations = new Hook(l);
                var gradients = new BackwardHook(l);
                var input = x.detach().clone().requires_grad_(true);
                m.call(input)[0, c].backward();
                return (gradients.Stored.mean([2, 3], keepdim: true) * activations.Stored).sum(1).relu()[0].clone();
            },
            "upsampled" => (m, l, x, c) => HeatmapMath.Upsample(Solutions.GradCamOf(m, l, x, c), x.shape[2], x.shape[3]),
            "not detached" => (m, l, x, c) => Solutions.GradCamOf(m, l, x, c).requires_grad_(true),
            "left in training mode" => (m, l, x, c) => { var map = Solutions.GradCamOf(m, l, x, c); m.train(); return map; },
            "no requires_grad" => (m, l, x, c) =>
            {
                using var evalMode = ModelModeScope.Eval(m);
                using var activations = new Hook(l);
                using var gradients = new BackwardHook(l);
                m.call(x)[0, c].backward();
                return (gradients.Stored.mean([2, 3], keepdim: true) * activations.Stored).sum(1).relu()[0].detach();
            },
            "train() for the pass, mode restored" => (m, l, x, c) =>
            {
                using var mode = ModelModeScope.Train(m);
                return Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true) * a).sum(1).relu()[0], eval: false);
            },
            "forgot eval()" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true) * a).sum(1).relu()[0], eval: false),
            "cross-entropy loss" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true) * a).sum(1).relu()[0],
                score: s => nn.functional.cross_entropy(s, tensor(new long[] { c }))),
            "log-softmax" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true) * a).sum(1).relu()[0],
                score: s => s.log_softmax(1)[0, c]),
            "the book's mean([1, 2])" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([1, 2], keepdim: true) * a).sum(1).relu()[0]),
            "min-max normalised" => (m, l, x, c) => { var map = Solutions.GradCamOf(m, l, x, c); return (map - map.min()) / (map.max() - map.min()); },
            "softmax over positions" => (m, l, x, c) => { var map = Solutions.GradCamOf(m, l, x, c); return map.flatten().softmax(0).reshape(map.shape); },
            "autograd.grad on the output the hook kept" => (m, l, x, c) =>
            {
                using var mode = ModelModeScope.Eval(m);
                Tensor? kept = null;
                var remover = l.register_forward_hook((module, input, output) => { kept = output; return null!; });
                try
                {
                    var scores = m.call(x.detach().clone().requires_grad_(true));
                    var gradient = autograd.grad([scores[0, c]], [kept!])[0];
                    using (no_grad()) return (gradient.mean([2, 3], keepdim: true) * kept!).sum(1).relu()[0];
                }
                finally { remover.remove(); }
            },
            "requires_grad switched on" => (m, l, x, c) =>
            {
                foreach (var p in m.parameters()) p.requires_grad = true;
                return Solutions.GradCamOf(m, l, x, c);
            },
            "a weight nudged" => (m, l, x, c) =>
            {
                var map = Solutions.GradCamOf(m, l, x, c);
                using (no_grad()) m.parameters().First().add_(0.5);
                return map;
            },
            "gradients summed over the positions" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.sum([2, 3], keepdim: true) * a).sum(1).relu()[0]),
            "backward on the sum of all scores" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true) * a).sum(1).relu()[0], score: s => s.sum()),
            "relu on each term before the sum" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true) * a).relu().sum(1)[0]),
            "relu on the channel weights instead of the map" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true).relu() * a).sum(1)[0]),
            "activations from the layer's input" => (m, l, x, c) =>
            {
                using var mode = ModelModeScope.Eval(m);
                Tensor? kept = null;
                var remover = l.register_forward_hook((module, input, output) => { kept = input.detach().clone(); return null!; });
                using var gradients = new BackwardHook(l);
                try
                {
                    m.call(x.detach().clone().requires_grad_(true))[0, c].backward();
                    using (no_grad()) return (gradients.Stored.mean([2, 3], keepdim: true) * kept!).sum(1).relu()[0];
                }
                finally { remover.remove(); }
            },
            "every class's backward, .grad never cleared" => (m, l, x, c) =>
            {
                using var mode = ModelModeScope.Eval(m);
                Tensor? kept = null;
                var remover = l.register_forward_hook((module, input, output) => { output.retain_grad(); kept = output.alias(); return null!; });
                try
                {
                    var scores = m.call(x.detach().clone().requires_grad_(true));
                    Tensor? map = null;
                    for (int k = 0; k < scores.shape[1]; k++)
                    {
                        scores[0, k].backward(retain_graph: true);
                        using (no_grad())
                            if (k == c) map = (kept!.grad!.mean([2, 3], keepdim: true) * kept).sum(1).relu()[0].clone();
                    }
                    return map!;
                }
                finally { remover.remove(); }
            },
            "the caller's image made to require grad" => (m, l, x, c) =>
            {
                using var mode = ModelModeScope.Eval(m);
                using var activations = new Hook(l);
                using var gradients = new BackwardHook(l);
                m.call(x.requires_grad_(true))[0, c].backward();
                using (no_grad()) return (gradients.Stored.mean([2, 3], keepdim: true) * activations.Stored).sum(1).relu()[0];
            },
            "no_grad() without using" => (m, l, x, c) =>
            {
                var map = Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true) * a).sum(1).relu()[0]);
                no_grad();
                return map;
            },
            "abs instead of relu" => (m, l, x, c) => Variant(m, l, x, c, (a, g) => (g.mean([2, 3], keepdim: true) * a).sum(1).abs()[0]),
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        AssertDiagnosis(Check.GradCam(gradCam), code);
    }

    /// <summary>Grad-CAM with a replaceable formula (and optionally the probability instead of the score).</summary>
    private static Tensor Variant(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, Tensor image, int classIndex,
        Func<Tensor, Tensor, Tensor> formula, bool probability = false, bool eval = true, Func<Tensor, Tensor>? score = null)
    {
        using var mode = eval && model.training ? ModelModeScope.Eval(model) : null;
        using var activations = new Hook(layer);
        using var gradients = new BackwardHook(layer);
        var input = image.detach().clone().requires_grad_(true);
        var scores = model.call(input);
        (score is not null ? score(scores) : probability ? scores.softmax(1)[0, classIndex] : scores[0, classIndex]).backward();
        using (no_grad()) return formula(activations.Stored, gradients.Stored).clone();
    }

    // ---- Exercise 5 ----

    [Fact]
    public void Overlay_solution_passes() => AssertPasses(Check.Overlay(Solutions.Overlay));

    [Fact]
    public void Overlay_with_the_library_functions_passes() => AssertPasses(Check.Overlay((image, map, colormap, alpha) =>
        HeatmapMath.Blend(image, HeatmapMath.Upsample(HeatmapMath.Normalize(map), image.shape[1], image.shape[2]), colormap, alpha)));

    public static TheoryData<string, string> OverlayMistakes => new()
    {
        { "not implemented", FindingCodes.NotImplemented },
        { "no normalisation", FindingCodes.NotNormalised },
        { "divide by max", FindingCodes.WrongNormalisation },
        { "relu first", FindingCodes.ReluApplied },
        { "nearest", FindingCodes.WrongInterpolation },
        { "align corners", FindingCodes.WrongInterpolation },
        { "alpha swapped", FindingCodes.AlphaSwapped },
        { "not upsampled", FindingCodes.NotUpsampled },
        { "channels last", FindingCodes.ChannelsLast },
        { "0..1", FindingCodes.ScaledValues },
        { "in place", FindingCodes.ModifiedInput },
        { "channels reshaped, not permuted", FindingCodes.ReshapedNotPermuted },
        { "image not weighted by 1 − alpha", FindingCodes.ImageNotFaded },
        { "height and width swapped in the size", FindingCodes.Exception },
        { "divided by max − min without subtracting the min", FindingCodes.WrongNormalisation },
        { "bicubic", FindingCodes.WrongInterpolation },
        { "colours from 0..255 values", FindingCodes.NotNormalised },
        { "coloured before stretching", FindingCodes.WrongInterpolation },
    };

    [Theory]
    [MemberData(nameof(OverlayMistakes))]
    public void Overlay_mistakes_are_diagnosed(string mistake, string code)
    {
        static Tensor Stretch(Tensor m, Tensor image, InterpolationMode mode = InterpolationMode.Bilinear, bool corners = false) =>
            nn.functional.interpolate(m.unsqueeze(0).unsqueeze(0), [image.shape[1], image.shape[2]], mode: mode,
                align_corners: mode == InterpolationMode.Nearest ? null : corners)[0, 0];
        static Tensor MinMax(Tensor m) => (m - m.min()) / (m.max() - m.min());
        OverlayFunction overlay = mistake switch
        {
            "not implemented" => (i, m, cm, a) => throw new NotImplementedException(),
            "no normalisation" => (i, m, cm, a) => i * (1 - a) + cm.Apply(Stretch(m, i)) * a,
            "divide by max" => (i, m, cm, a) => i * (1 - a) + cm.Apply(Stretch(m / m.max(), i)) * a,
            "relu first" => (i, m, cm, a) => i * (1 - a) + cm.Apply(Stretch(MinMax(m.relu()), i)) * a,
            "nearest" => (i, m, cm, a) => i * (1 - a) + cm.Apply(Stretch(MinMax(m), i, InterpolationMode.Nearest)) * a,
            "align corners" => (i, m, cm, a) => i * (1 - a) + cm.Apply(Stretch(MinMax(m), i, corners: true)) * a,
            "alpha swapped" => (i, m, cm, a) => i * a + cm.Apply(Stretch(MinMax(m), i)) * (1 - a),
            "not upsampled" => (i, m, cm, a) => cm.Apply(MinMax(m)),
            "channels last" => (i, m, cm, a) => Solutions.Overlay(i, m, cm, a).permute(1, 2, 0),
            "0..1" => (i, m, cm, a) => Solutions.Overlay(i, m, cm, a) / 255,
            "in place" => (i, m, cm, a) => i.mul_(1 - a).add_(cm.Apply(Stretch(MinMax(m), i)) * a),
            "channels reshaped, not permuted" => (i, m, cm, a) => Solutions.Overlay(i, m, cm, a).permute(1, 2, 0).reshape(i.shape),
            "image not weighted by 1 − alpha" => (i, m, cm, a) => (i + cm.Apply(Stretch(MinMax(m), i)) * a).clamp(0, 255),
            "height and width swapped in the size" => (i, m, cm, a) =>
                i * (1 - a) + cm.Apply(nn.functional.interpolate(MinMax(m)[TensorIndex.None, TensorIndex.None], [i.shape[2], i.shape[1]],
                    mode: InterpolationMode.Bilinear, align_corners: false)[0, 0]) * a,
            "divided by max − min without subtracting the min" => (i, m, cm, a) => i * (1 - a) + cm.Apply(Stretch(m / (m.max() - m.min()), i)) * a,
            "bicubic" => (i, m, cm, a) => i * (1 - a) + cm.Apply(Stretch(MinMax(m), i, InterpolationMode.Bicubic)) * a,
            "coloured before stretching" => (i, m, cm, a) => i * (1 - a) + nn.functional.interpolate(cm.Apply(MinMax(m)).unsqueeze(0), [i.shape[1], i.shape[2]],
                mode: InterpolationMode.Bilinear, align_corners: false)[0] * a,
            "colours from 0..255 values" => (i, m, cm, a) => i * (1 - a) + cm.Apply(Stretch(MinMax(m) * 255, i)) * a,
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        AssertDiagnosis(Check.Overlay(overlay), code);
    }

    // ---- Exercise 6 ----

    [Fact]
    public void Keepdim_solution_passes() => AssertPasses(Check.Keepdim(Solutions.GradCamWithoutKeepdim));

    [Fact]
    public void Keepdim_alternatives_pass()
    {
        AssertPasses(Check.Keepdim((a, g) => einsum("nk,nkij->nij", g.mean([2, 3]), a).relu()));
        AssertPasses(Check.Keepdim((a, g) => (g.mean([2, 3]).view(g.shape[0], g.shape[1], 1, 1) * a).sum(1).relu()));
    }

    public static TheoryData<string, string> KeepdimMistakes => new()
    {
        { "not implemented", FindingCodes.NotImplemented },
        { "no unsqueeze", FindingCodes.BroadcastMisaligned },
        { "unsqueeze in the middle", FindingCodes.BroadcastMisaligned },
        { "missing relu", FindingCodes.MissingRelu },
        { "mean over the batch too", FindingCodes.WholeBatch },
        { "squeezed", FindingCodes.WrongShape },
        { "one map for the batch", FindingCodes.WholeBatch },
        { "the book's mean([1, 2])", FindingCodes.MeanOverWrongAxes },
        { "softmax over positions", FindingCodes.SoftmaxOverPositions },
        { "gradients summed over the positions", FindingCodes.GradientsSummed },
        { "relu on each term before the sum", FindingCodes.ReluTooEarly },
        { "maps transposed", FindingCodes.Transposed },
        { "weights of the first image for all", FindingCodes.WholeBatch },
        { "activations and gradients swapped", FindingCodes.WrongValues },
    };

    [Theory]
    [MemberData(nameof(KeepdimMistakes))]
    public void Keepdim_mistakes_are_diagnosed(string mistake, string code)
    {
        GradCamFormula formula = mistake switch
        {
            "not implemented" => (a, g) => throw new NotImplementedException(),
            "no unsqueeze" => (a, g) => (g.mean([2, 3]) * a).sum(1).relu(),
            "unsqueeze in the middle" => (a, g) => (g.mean([2, 3]).unsqueeze(1).unsqueeze(1) * a).sum(1).relu(),
            "missing relu" => (a, g) => (g.mean([2, 3]).unsqueeze(-1).unsqueeze(-1) * a).sum(1),
            "mean over the batch too" => (a, g) => (g.mean([0, 2, 3]).reshape(1, -1, 1, 1) * a).sum(1).relu(),
            "squeezed" => (a, g) => (g.mean([2, 3]).unsqueeze(-1).unsqueeze(-1) * a).sum(1).relu().squeeze(),
            "one map for the batch" => (a, g) => (g.mean([2, 3]).unsqueeze(-1).unsqueeze(-1) * a).sum([0, 1]).relu(),
            "the book's mean([1, 2])" => (a, g) => (g.mean([1, 2], keepdim: true) * a).sum(1).relu(),
            "softmax over positions" => (a, g) =>
            {
                var maps = (g.mean([2, 3]).unsqueeze(-1).unsqueeze(-1) * a).sum(1).relu();
                return maps.flatten(1).softmax(1).reshape(maps.shape);
            },
            "gradients summed over the positions" => (a, g) => (g.sum([2, 3]).unsqueeze(-1).unsqueeze(-1) * a).sum(1).relu(),
            "relu on each term before the sum" => (a, g) => (g.mean([2, 3]).unsqueeze(-1).unsqueeze(-1) * a).relu().sum(1),
            "maps transposed" => (a, g) => (g.mean([2, 3]).unsqueeze(-1).unsqueeze(-1) * a).sum(1).relu().transpose(1, 2),
            "weights of the first image for all" => (a, g) => (g[0].mean([1, 2]).reshape(1, -1, 1, 1) * a).sum(1).relu(),
            "activations and gradients swapped" => (a, g) => (a.mean([2, 3]).unsqueeze(-1).unsqueeze(-1) * g).sum(1).relu(),
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        AssertDiagnosis(Check.Keepdim(formula), code);
    }
}
