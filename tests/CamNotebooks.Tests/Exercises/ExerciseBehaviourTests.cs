using CamNotebooks.Exercises;
using CamNotebooks.Hooks;
using Microsoft.DotNet.Interactive.Formatting;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Exercises;

/// <summary>
/// The checks judge behaviour, not spelling: correct answers in several styles pass; a function that changes the model is
/// reported with its own code and the model is restored for the next attempt; hints name the idea, never a wrong factor.
/// </summary>
[Collection(ExerciseCollection.Name)]
public class ExerciseBehaviourTests
{
    private static void AssertPasses(CheckResult result) => Assert.True(result.Passed, result.ToString());

    public static TheoryData<StyledOutputHook.Style> HookStyles => new(Enum.GetValues<StyledOutputHook.Style>());
    public static TheoryData<StyledGradientHook.Style> GradientStyles => new(Enum.GetValues<StyledGradientHook.Style>());
    public static TheoryData<string> CamStyles => new(CorrectStyles.Cam.Keys);
    public static TheoryData<string> GradCamStyles => new(CorrectStyles.GradCam.Keys);
    public static TheoryData<string> OverlayStyles => new(CorrectStyles.Overlay.Keys);
    public static TheoryData<string> KeepdimStyles => new(CorrectStyles.Keepdim.Keys);

    [Theory, MemberData(nameof(HookStyles))]
    public void Forward_hook_in_another_style_passes(StyledOutputHook.Style style) =>
        AssertPasses(Check.ForwardHook(layer => new StyledOutputHook(layer, style)));

    [Theory, MemberData(nameof(GradientStyles))]
    public void Backward_hook_in_another_style_passes(StyledGradientHook.Style style) =>
        AssertPasses(Check.BackwardHook(layer => new StyledGradientHook(layer, style)));

    [Theory, MemberData(nameof(CamStyles))]
    public void Cam_in_another_style_passes(string style) => AssertPasses(Check.Cam(CorrectStyles.Cam[style]));

    [Theory, MemberData(nameof(GradCamStyles))]
    public void Grad_cam_in_another_style_passes(string style) => AssertPasses(Check.GradCam(CorrectStyles.GradCam[style]));

    [Theory, MemberData(nameof(OverlayStyles))]
    public void Overlay_in_another_style_passes(string style) => AssertPasses(Check.Overlay(CorrectStyles.Overlay[style]));

    [Theory, MemberData(nameof(KeepdimStyles))]
    public void Keepdim_in_another_style_passes(string style) => AssertPasses(Check.Keepdim(CorrectStyles.Keepdim[style]));

    [Fact]
    public void Eval_first_is_accepted_and_said_to_be_harmless()
    {
        var result = Check.GradCam(CorrectStyles.GradCam["eval() first, as the book does"]);
        AssertPasses(result);
        Assert.Contains(result.Findings, f => f.Detail.Contains("eval() is fine"));
    }

    /// <summary>The case: train() for the pass, mode restored. Reported, undone; the fixed answer then passes on the original model.</summary>
    [Fact]
    public void Corrupt_check_fix_check_passes_with_the_original_models_outputs()
    {
        var model = ExerciseData.Model;
        var batch = ExerciseData.Batch(ExerciseData.CatPhoto);
        Tensor Scores() { using (no_grad()) return model.call(batch).detach().clone(); }
        var original = Scores();
        var statistics = model.named_buffers().Select(b => b.buffer.detach().clone()).ToList();

        GradCamFunction trainsTheModel = (m, l, x, c) =>
        {
            using var mode = ModelModeScope.Train(m);
            using var activations = new Hook(l);
            using var gradients = new BackwardHook(l);
            m.call(x.detach().clone().requires_grad_(true))[0, c].backward();
            using (no_grad()) return (gradients.Stored.mean([2, 3], keepdim: true) * activations.Stored).sum(1).relu()[0];
        };
        var corrupt = Check.GradCam(trainsTheModel);
        Assert.Contains(FindingCodes.BatchNormStatsChanged, corrupt.Codes);
        Assert.Contains(corrupt.Failures, f => f.Detail.Contains("ran the model in training mode"));
        // The check put everything back: same statistics (bit for bit), same scores, same mode.
        Assert.All(model.named_buffers().Zip(statistics), pair => Assert.True(pair.First.buffer.eq(pair.Second).all().item<bool>(), pair.First.name));
        Assert.Equal(original.data<float>().ToArray(), Scores().data<float>().ToArray());
        Assert.False(model.training);

        var fixedResult = Check.GradCam(Solutions.GradCamOf);
        AssertPasses(fixedResult);
        Assert.Equal(original.data<float>().ToArray(), Scores().data<float>().ToArray());
    }

    [Fact]
    public void Mode_requires_grad_and_hooks_changes_are_each_reported_and_undone()
    {
        var model = ExerciseData.Model;
        var flags = model.parameters().Select(p => p.requires_grad).ToList();
        var result = Check.GradCam((m, l, x, c) =>
        {
            var map = Solutions.GradCamOf(m, l, x, c);
            if (!ReferenceEquals(m, model)) return map; // the real classifier: frozen body, eval mode
            foreach (var p in m.parameters()) p.requires_grad = true;
            l.register_forward_hook((_, _, o) => null!);
            m.train();
            return map;
        });
        Assert.Contains(FindingCodes.RequiresGradChanged, result.Codes);
        Assert.Contains(FindingCodes.HookNotRemoved, result.Codes);
        Assert.Contains(FindingCodes.ModelChanged, result.Codes);
        Assert.Equal(flags, model.parameters().Select(p => p.requires_grad).ToList());
        Assert.False(model.training);
        AssertPasses(Check.GradCam(Solutions.GradCamOf));
    }

    /// <summary>no_grad() without using: autograd stays off for the whole kernel. Reported with its own code, switched back on.</summary>
    [Fact]
    public void No_grad_left_on_is_reported_and_switched_back_on()
    {
        var result = Check.GradCam((m, l, x, c) =>
        {
            var map = Solutions.GradCamOf(m, l, x, c);
            no_grad(); // forgot `using`: grad mode stays off after the function returns
            return map;
        });
        Assert.True(is_grad_enabled());
        Assert.Contains(FindingCodes.GradModeChanged, result.Codes);
        AssertPasses(Check.GradCam(Solutions.GradCamOf));
    }

    /// <summary>Exercises 1 and 3: a hook left on, or a layer left in training mode, is reported and undone; the fixed hook then passes.</summary>
    [Fact]
    public void Hook_side_effects_are_undone_before_the_next_attempt()
    {
        var model = ExerciseData.Model;
        var batch = ExerciseData.Batch(ExerciseData.CatPhoto);
        Tensor Scores() { using (no_grad()) return model.call(batch).detach().clone(); }
        var original = Scores().data<float>().ToArray();

        Assert.Contains(FindingCodes.BatchNormStatsChanged,
            Check.ForwardHook(layer => new WrongOutputHook(layer, WrongOutputHook.Mistake.PutsLayerInTraining)).Codes);
        Assert.Equal(original, Scores().data<float>().ToArray());
        Assert.All(model.modules(), m => Assert.False(m.training));
        AssertPasses(Check.ForwardHook(layer => new OutputHook(layer)));

        Assert.Contains(FindingCodes.HookNotRemoved,
            Check.BackwardHook(layer => new WrongGradientHook(layer, WrongGradientHook.Mistake.NeverRemoved)).Codes);
        Assert.Equal(original, Scores().data<float>().ToArray());
        AssertPasses(Check.BackwardHook(layer => new GradientHook(layer)));
        AssertPasses(Check.GradCam(Solutions.GradCamOf));
    }

    [Fact]
    public void Summed_gradients_name_the_positions_factor_h_w()
    {
        var result = Check.GradCam((m, l, x, c) =>
        {
            using var mode = ModelModeScope.Eval(m);
            using var activations = new Hook(l);
            using var gradients = new BackwardHook(l);
            m.call(x.detach().clone().requires_grad_(true))[0, c].backward();
            using (no_grad()) return (gradients.Stored.sum([2, 3], keepdim: true) * activations.Stored).sum(1).relu()[0];
        });
        var failure = Assert.Single(result.Failures);
        Assert.Equal(FindingCodes.GradientsSummed, failure.Code);
        Assert.Contains("h·w = 6", failure.Detail);
        Assert.DoesNotContain("6", failure.Hint);
    }

    [Fact]
    public void Cam_divided_by_positions_names_the_positions_and_the_right_factor()
    {
        var result = Check.Cam((a, w, c) => einsum("ck,kij->cij", w, a)[c] / (a.shape[1] * a.shape[2]));
        var failure = Assert.Single(result.Failures);
        Assert.Equal(FindingCodes.AveragedOverPositions, failure.Code);
        Assert.Contains("h·w = 6", failure.Detail);
        Assert.Contains("positions", failure.Hint);
        Assert.DoesNotContain(" K", failure.Hint);
        Assert.DoesNotContain("K =", failure.Detail);
    }

    [Fact]
    public void Cam_averaged_over_channels_names_the_channels()
    {
        var result = Check.Cam((a, w, c) => (w[c].reshape(-1, 1, 1) * a).mean([0]));
        var failure = Assert.Single(result.Failures);
        Assert.Equal(FindingCodes.AveragedOverChannels, failure.Code);
        Assert.Contains("K = 3", failure.Detail);
        Assert.DoesNotContain("position", failure.Hint!.Replace("at each position", ""));
    }

    [Fact]
    public void A_disposed_tensor_is_named_with_how_to_keep_a_copy()
    {
        var result = Check.GradCam((m, l, x, c) =>
        {
            using var mode = ModelModeScope.Eval(m);
            Tensor? kept = null;
            var remover = l.register_forward_hook((_, _, output) => { kept = output; return null!; });
            try
            {
                var scores = m.call(x.detach().clone().requires_grad_(true));
                return autograd.grad([scores[0, c]], [kept!])[0].sum(1)[0];
            }
            finally { remover.remove(); }
        });
        var failure = Assert.Single(result.Failures, f => f.Code == FindingCodes.DisposedTensor);
        Assert.Contains("frees", failure.Hint);
        Assert.Contains("clone", failure.Hint);
    }

    [Fact]
    public void Not_yet_implemented_lists_what_the_check_will_test()
    {
        var result = Check.GradCam((m, l, x, c) => throw new NotImplementedException());
        Assert.True(result.NotImplemented);
        Assert.Contains("What this check will test:", result.ToString());
        Assert.Contains("batch normalisation", result.ToString());
        Assert.Contains("What this check will test:", result.ToHtml());
        // Not yet implemented is grey, mark included (the exercises README says so).
        Assert.DoesNotContain("#cf222e", result.ToHtml());
        // In a notebook it shows as that table (the formatter CamEnvironment.Initialize() registers), and as the ✔/✘ text.
        CamEnvironment.Initialize();
        Assert.Equal(result.ToHtml(), result.ToDisplayString("text/html"));
        Assert.Equal(result.ToString(), result.ToDisplayString("text/plain"));
    }
}
