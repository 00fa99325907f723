using CamNotebooks.Exercises;
using CamNotebooks.Heatmaps;
using CamNotebooks.Hooks;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Exercises;

/// <summary>
/// Wrong answers written as a learner would (several forms of each idea), each named by its own diagnosis rather than the
/// generic [wrong-values], and diagnoses that used to blame the wrong thing.
/// </summary>
[Collection(ExerciseCollection.Name)]
public class NamedMistakeTests
{
    private static void AssertDiagnosis(CheckResult result, string code)
    {
        Assert.False(result.Passed, result.ToString());
        Assert.True(result.Codes.Contains(code), $"expected [{code}], got [{string.Join(", ", result.Codes)}]\n{result}");
        Assert.All(result.Failures, f => Assert.False(string.IsNullOrWhiteSpace(f.Hint)));
    }

    /// <summary>A module inside <paramref name="layer"/> a learner might hook instead (the layer itself when it has none).</summary>
    private static Module<Tensor, Tensor> Inside(Module<Tensor, Tensor> layer, string which) =>
        (which switch
        {
            "its last convolution" => layer.modules().OfType<Conv2d>().LastOrDefault(),
            "its last batch norm" => layer.modules().OfType<BatchNorm2d>().LastOrDefault(),
            "its first block" => layer.children().FirstOrDefault(),
            "its last convolution's first sibling" => layer.modules().OfType<Conv2d>().FirstOrDefault(),
            _ => throw new ArgumentOutOfRangeException(nameof(which)),
        }) as Module<Tensor, Tensor> ?? layer;

    /// <summary>A null answer is bad input to the check: an ArgumentNullException naming it, not a finding blaming "something your code left behind".</summary>
    [Fact]
    public void A_null_answer_is_an_argument_error_not_a_finding()
    {
        Action[] calls =
        [
            () => Check.ForwardHook(null!), () => Check.Cam(null!), () => Check.BackwardHook(null!), () => Check.GradCam(null!),
            () => Check.Overlay(null!), () => Check.Keepdim(null!), () => Check.TextCam(null!), () => Check.FromScratch(null!),
        ];
        foreach (var call in calls) Assert.False(string.IsNullOrEmpty(Assert.Throws<ArgumentNullException>(call).ParamName));
    }

    // ---- Exercise 1 ----

    public static TheoryData<string, string> ForwardHookMistakes => new()
    {
        { "a copy made in a dispose scope", FindingCodes.FreedByYourCode },
        { "a copy in a using declaration", FindingCodes.FreedByYourCode },
        { "the whole hook in a dispose scope", FindingCodes.FreedByYourCode },
        { "an expression lambda returning the assignment", FindingCodes.OutputReplaced },
        { "returns the stored copy", FindingCodes.OutputReplaced },
        { "returns a fresh copy", FindingCodes.OutputReplaced },
        { "hooks its last convolution", FindingCodes.WrongLayer },
        { "hooks its last batch norm", FindingCodes.WrongLayer },
        { "hooks its first block", FindingCodes.WrongLayer },
        { "hooks its first convolution", FindingCodes.WrongLayer },
    };

    [Theory, MemberData(nameof(ForwardHookMistakes))]
    public void Forward_hook_mistakes_are_named(string mistake, string code)
    {
        Func<Module<Tensor, Tensor>, ExerciseHook> create = mistake switch
        {
            "hooks its last convolution" => l => new OutputHook(Inside(l, "its last convolution")),
            "hooks its last batch norm" => l => new OutputHook(Inside(l, "its last batch norm")),
            "hooks its first block" => l => new OutputHook(Inside(l, "its first block")),
            "hooks its first convolution" => l => new OutputHook(Inside(l, "its last convolution's first sibling")),
            _ => l => new LearnerHook(l, mistake),
        };
        var result = Check.ForwardHook(create);
        AssertDiagnosis(result, code);
        if (code == FindingCodes.FreedByYourCode)
            Assert.DoesNotContain(result.Failures, f => f.Detail.Contains("by the model"));
        if (code == FindingCodes.OutputReplaced)
            Assert.DoesNotContain(FindingCodes.NotCloned, result.Codes);
    }

    /// <summary>Exercise 1's hook with one of the mistakes above, written as a learner would.</summary>
    private sealed class LearnerHook : ExerciseHook
    {
        private readonly Action _remove;

        public LearnerHook(Module<Tensor, Tensor> layer, string mistake) => _remove = (mistake switch
        {
            "a copy made in a dispose scope" => layer.register_forward_hook((m, i, o) =>
            {
                using (NewDisposeScope()) Stored = o.detach().clone();
                return null!;
            }),
            "a copy in a using declaration" => layer.register_forward_hook((m, i, o) =>
            {
                using var copy = o.detach().clone();
                Stored = copy;
                return null!;
            }),
            "the whole hook in a dispose scope" => layer.register_forward_hook((m, i, o) =>
            {
                using var scope = NewDisposeScope();
                Stored?.Dispose();
                Stored = o.detach().clone();
                return null!;
            }),
            "an expression lambda returning the assignment" => layer.register_forward_hook((m, i, o) => Stored = o.detach().clone()),
            "returns the stored copy" => layer.register_forward_hook((m, i, o) => { Stored = o.detach().clone(); return Stored; }),
            "returns a fresh copy" => layer.register_forward_hook((m, i, o) =>
            {
                var copy = o.detach().clone();
                Stored = copy;
                return copy;
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        }).remove;

        public override void Dispose() => _remove();
    }

    /// <summary>A hook that switches requires_grad in its constructor, or each time it fires.</summary>
    private sealed class RequiresGradHook : ExerciseHook
    {
        private readonly Action _remove;

        public RequiresGradHook(Module<Tensor, Tensor> layer) => _remove = layer.register_forward_hook((m, i, o) =>
        {
            foreach (var p in m.parameters()) p.requires_grad = true;
            Stored = o.detach().clone();
            return null!;
        }).remove;

        public override void Dispose() => _remove();
    }

    [Theory]
    [InlineData("flipped in the constructor")]
    [InlineData("switched on each time the hook fires")]
    public void A_hook_that_changes_requires_grad_gets_a_hint_that_fits_a_hook(string form)
    {
        var result = Check.ForwardHook(layer =>
        {
            if (form != "flipped in the constructor") return new RequiresGradHook(layer);
            foreach (var p in layer.parameters()) p.requires_grad = !p.requires_grad;
            return new OutputHook(layer);
        });
        var finding = Assert.Single(result.Failures, f => f.Code == FindingCodes.RequiresGradChanged);
        Assert.DoesNotContain("for the map", finding.Hint);
        Assert.DoesNotContain("before returning", finding.Hint);
    }

    // ---- Exercise 2 ----

    public static TheoryData<string, string> CamMistakes => new()
    {
        { "softmax over the classes at each position", FindingCodes.UsedProbability },
        { "log-softmax over the classes", FindingCodes.UsedProbability },
        { "softmax over the classes, by hand", FindingCodes.UsedProbability },
    };

    [Theory, MemberData(nameof(CamMistakes))]
    public void Cam_mistakes_are_named(string mistake, string code)
    {
        CamFunction cam = mistake switch
        {
            "softmax over the classes at each position" => (a, w, c) => einsum("ck,kij->cij", w, a).softmax(0)[c],
            "log-softmax over the classes" => (a, w, c) => einsum("ck,kij->cij", w, a).log_softmax(0)[c],
            "softmax over the classes, by hand" => (a, w, c) =>
            {
                var scores = einsum("ck,kij->cij", w, a).exp();
                return scores[c] / scores.sum(dim: 0);
            },
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        AssertDiagnosis(Check.Cam(cam), code);
    }

    [Theory]
    [InlineData("inputs converted to float64")]
    [InlineData("result converted with .@double()")]
    public void A_wrong_element_type_is_reported_once(string form)
    {
        var result = Check.Cam(form == "inputs converted to float64"
            ? (a, w, c) => einsum("ck,kij->cij", w.to(ScalarType.Float64), a.to(ScalarType.Float64))[c]
            : (a, w, c) => einsum("ck,kij->cij", w, a)[c].@double());
        Assert.Single(result.Failures, f => f.Code == FindingCodes.WrongDtype);
    }

    // ---- Exercise 3 ----

    public static TheoryData<string, string> BackwardHookMistakes => new()
    {
        { "the tap applied to output.detach()", FindingCodes.TapDetached },
        { "the tap applied to output.detach().clone()", FindingCodes.TapDetached },
        { "the tap applied under no_grad()", FindingCodes.TapDetached },
        { "the copy made in a dispose scope", FindingCodes.FreedByYourCode },
        { "the copy in a using declaration", FindingCodes.FreedByYourCode },
    };

    [Theory, MemberData(nameof(BackwardHookMistakes))]
    public void Backward_hook_mistakes_are_named(string mistake, string code)
    {
        var result = Check.BackwardHook(layer => new LearnerGradientHook(layer, mistake));
        AssertDiagnosis(result, code);
        if (code == FindingCodes.TapDetached)
            Assert.DoesNotContain(result.Failures, f => f.Hint!.Contains("its backward returns") || f.Code == FindingCodes.GradientAltered);
    }

    /// <summary>Exercise 3's tap with one of the mistakes above.</summary>
    public sealed class LearnerTap : GuardedFunction<LearnerTap>
    {
        public override string Name => "LearnerTap";

        protected override Tensor Forward(AutogradContext ctx, object[] inputs)
        {
            var hook = (LearnerGradientHook)inputs[1];
            ctx.save_data("hook", hook);
            var x = (Tensor)inputs[0];
            return x.alias();
        }

        protected override List<Tensor> Backward(AutogradContext ctx, Tensor gradient)
        {
            ((LearnerGradientHook)ctx.get_data("hook")).Keep(gradient);
            return [gradient, null!];
        }
    }

    public sealed class LearnerGradientHook : ExerciseHook
    {
        private readonly Action _remove;

        public LearnerGradientHook(Module<Tensor, Tensor> layer, string mistake)
        {
            Mistake = mistake;
            _remove = layer.register_forward_hook((m, i, o) =>
            {
                switch (mistake)
                {
                    case "the tap applied to output.detach()": return LearnerTap.apply(o.detach(), this);
                    case "the tap applied to output.detach().clone()": return LearnerTap.apply(o.detach().clone(), this);
                    case "the tap applied under no_grad()":
                        using (no_grad()) return LearnerTap.apply(o, this);
                    default: return LearnerTap.apply(o, this);
                }
            }).remove;
        }

        public string Mistake { get; }

        public void Keep(Tensor gradient)
        {
            switch (Mistake)
            {
                case "the copy made in a dispose scope":
                    using (NewDisposeScope()) Stored = gradient.detach().clone();
                    break;
                case "the copy in a using declaration":
                    using (var copy = gradient.detach().clone()) Stored = copy;
                    break;
                default:
                    Stored = gradient.detach().clone();
                    break;
            }
        }

        public override void Dispose() => _remove();
    }

    // ---- Exercise 4 ----

    public static TheoryData<string, string> GradCamMistakes => new()
    {
        { "CAM's head weights, relu", FindingCodes.CamWeights },
        { "CAM's head weights, no relu", FindingCodes.CamWeights },
        { "CAM's head weights divided by h·w", FindingCodes.CamWeights },
        { "CAM's head weights by broadcasting, divided by h·w", FindingCodes.CamWeights },
        { "hooks its last convolution", FindingCodes.WrongLayer },
        { "hooks its last batch norm", FindingCodes.WrongLayer },
        { "hooks its first block", FindingCodes.WrongLayer },
        { "min-max before the relu", FindingCodes.Normalised },
        { "min-max with an epsilon", FindingCodes.Normalised },
    };

    [Theory, MemberData(nameof(GradCamMistakes))]
    public void Grad_cam_mistakes_are_named(string mistake, string code)
    {
        static Tensor Raw(Module<Tensor, Tensor> m, Module<Tensor, Tensor> l, Tensor x, int c, Func<Tensor, Tensor, Tensor> formula)
        {
            using var mode = ModelModeScope.Eval(m);
            using var activations = new Hook(l);
            using var gradients = new BackwardHook(l);
            m.call(x.detach().clone().requires_grad_(true))[0, c].backward();
            using (no_grad()) return formula(activations.Stored, gradients.Stored).clone();
        }
        static Tensor HeadWeights(Module<Tensor, Tensor> m, Module<Tensor, Tensor> l, Tensor x, int c, bool relu, bool mean)
        {
            var w = m.modules().OfType<Linear>().Last().weight!.detach();
            return Raw(m, l, x, c, (a, g) =>
            {
                var map = einsum("k,kij->ij", w[c], a[0]);
                if (mean) map = map / (a.shape[2] * a.shape[3]);
                return relu ? map.relu() : map;
            });
        }
        GradCamFunction gradCam = mistake switch
        {
            "CAM's head weights, relu" => (m, l, x, c) => HeadWeights(m, l, x, c, relu: true, mean: false),
            "CAM's head weights, no relu" => (m, l, x, c) => HeadWeights(m, l, x, c, relu: false, mean: false),
            "CAM's head weights divided by h·w" => (m, l, x, c) => HeadWeights(m, l, x, c, relu: true, mean: true),
            "CAM's head weights by broadcasting, divided by h·w" => (m, l, x, c) =>
            {
                var w = m.modules().OfType<Linear>().Last().weight!.detach()[c];
                return Raw(m, l, x, c, (a, g) => (w.view(-1, 1, 1) * a[0]).sum(dim: 0).relu() / (a.shape[2] * a.shape[3]));
            },
            "hooks its last convolution" => (m, l, x, c) => Solutions.GradCamOf(m, Inside(l, "its last convolution"), x, c),
            "hooks its last batch norm" => (m, l, x, c) => Solutions.GradCamOf(m, Inside(l, "its last batch norm"), x, c),
            "hooks its first block" => (m, l, x, c) => Solutions.GradCamOf(m, Inside(l, "its first block"), x, c),
            "min-max before the relu" => (m, l, x, c) => Raw(m, l, x, c, (a, g) =>
            {
                var map = (g.mean([2, 3], keepdim: true) * a).sum(1)[0];
                return ((map - map.min()) / (map.max() - map.min())).relu();
            }),
            "min-max with an epsilon" => (m, l, x, c) =>
            {
                var map = Solutions.GradCamOf(m, l, x, c);
                return (map - map.min()) / (map.max() - map.min() + 1e-6f);
            },
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        var result = Check.GradCam(gradCam);
        AssertDiagnosis(result, code);
        Assert.DoesNotContain(FindingCodes.Exception, result.Codes);
    }

    // ---- Exercise 5 ----

    private static Tensor Colours(Tensor image, Tensor map, Colormap colormap, Func<Tensor, Tensor>? scale = null)
    {
        var scaled = scale is null ? (map - map.min()) / (map.max() - map.min()) : scale(map);
        return colormap.Apply(nn.functional.interpolate(scaled.unsqueeze(0).unsqueeze(0), [image.shape[1], image.shape[2]],
            mode: InterpolationMode.Bilinear, align_corners: false)[0, 0]);
    }

    public static TheoryData<string, string> OverlayMistakes => new()
    {
        { "colour map run backwards (1 − scaled)", FindingCodes.ColormapReversed },
        { "colour map run backwards ((max − m) / range)", FindingCodes.ColormapReversed },
        { "colour channels flipped", FindingCodes.ChannelsSwapped },
        { "colour channels picked as B, G, R", FindingCodes.ChannelsSwapped },
        { "heatmap at full strength, photo faded", FindingCodes.WrongBlend },
        { "both weighted by alpha", FindingCodes.WrongBlend },
        { "renormalised by (1 + alpha)", FindingCodes.WrongBlend },
        { "half and half", FindingCodes.WrongBlend },
    };

    [Theory, MemberData(nameof(OverlayMistakes))]
    public void Overlay_mistakes_are_named(string mistake, string code)
    {
        OverlayFunction overlay = mistake switch
        {
            "colour map run backwards (1 − scaled)" => (i, m, cm, a) =>
                i * (1 - a) + Colours(i, m, cm, s => 1 - (s - s.min()) / (s.max() - s.min())) * a,
            "colour map run backwards ((max − m) / range)" => (i, m, cm, a) =>
                i * (1 - a) + Colours(i, m, cm, s => (s.max() - s) / (s.max() - s.min())) * a,
            "colour channels flipped" => (i, m, cm, a) => i * (1 - a) + Colours(i, m, cm).flip(0) * a,
            "colour channels picked as B, G, R" => (i, m, cm, a) =>
                i * (1 - a) + Colours(i, m, cm).index_select(0, tensor(new long[] { 2, 1, 0 })) * a,
            "heatmap at full strength, photo faded" => (i, m, cm, a) => i * (1 - a) + Colours(i, m, cm),
            "both weighted by alpha" => (i, m, cm, a) => i * a + Colours(i, m, cm) * a,
            "renormalised by (1 + alpha)" => (i, m, cm, a) => (i + Colours(i, m, cm) * a) / (1 + a),
            "half and half" => (i, m, cm, a) => (i + Colours(i, m, cm)) / 2,
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        var result = Check.Overlay(overlay);
        AssertDiagnosis(result, code);
        if (mistake == "renormalised by (1 + alpha)")
            Assert.Contains(result.Failures, f => f.Detail.Contains("0.29") && f.Detail.Contains("0.4"));
    }

    [Fact]
    public void Overlay_hints_never_give_the_formula()
    {
        OverlayFunction[] wrong =
        [
            (i, m, cm, a) => i * a + Colours(i, m, cm) * (1 - a),
            (i, m, cm, a) => i * (1 - a) + Colours(i, m, cm, s => s / s.max()) * a,
            (i, m, cm, a) => i * (1 - a) + Colours(i, m, cm) * a + 7,
            (i, m, cm, a) => (i + Colours(i, m, cm) * a) / (1 + a),
        ];
        foreach (var overlay in wrong)
        {
            var result = Check.Overlay(overlay);
            Assert.False(result.Passed);
            foreach (var hint in result.Failures.Select(f => f.Hint!))
            {
                Assert.DoesNotContain("1 − alpha", hint);
                Assert.DoesNotContain("1 - alpha", hint);
                Assert.DoesNotContain("− min) /", hint);
            }
        }
    }

    [Fact]
    public void A_wrong_element_type_in_the_overlay_is_reported_once_and_speaks_of_the_picture()
    {
        var result = Check.Overlay((i, m, cm, a) => Solutions.Overlay(i, m, cm, a).to(ScalarType.Float64));
        var finding = Assert.Single(result.Failures);
        Assert.Equal(FindingCodes.WrongDtype, finding.Code);
        Assert.DoesNotContain("activations", finding.Hint);
    }

    // ---- Exercise 6 ----

    public static TheoryData<string, string> KeepdimMistakes => new()
    {
        { "activations transposed to meet the weights", FindingCodes.BroadcastMisaligned },
        { "channels moved last to meet the weights", FindingCodes.BroadcastMisaligned },
        { "weights lined up with the rows and channels", FindingCodes.BroadcastMisaligned },
        { "per-image maps stacked along dimension 1", FindingCodes.ImagesMixed },
        { "per-image maps stacked along dimension 2", FindingCodes.ImagesMixed },
        { "per-image maps in reverse order", FindingCodes.ImagesMixed },
    };

    [Theory, MemberData(nameof(KeepdimMistakes))]
    public void Keepdim_mistakes_are_named(string mistake, string code)
    {
        static Tensor[] PerImage(Tensor a, Tensor g) =>
            Enumerable.Range(0, (int)a.shape[0]).Select(n => einsum("k,kij->ij", g[n].mean([1, 2]), a[n]).relu()).ToArray();
        GradCamFormula formula = mistake switch
        {
            "activations transposed to meet the weights" => (a, g) => (g.mean([2, 3]) * a.transpose(1, 3)).sum(3).transpose(1, 2).relu(),
            "channels moved last to meet the weights" => (a, g) => (g.mean([2, 3]) * a.permute(0, 3, 2, 1)).sum(-1).transpose(1, 2).relu(),
            "weights lined up with the rows and channels" => (a, g) => (g.mean([2, 3]).T.unsqueeze(0).unsqueeze(-1) * a).sum(1).relu(),
            "per-image maps stacked along dimension 1" => (a, g) => stack(PerImage(a, g), 1),
            "per-image maps stacked along dimension 2" => (a, g) => stack(PerImage(a, g), 2),
            "per-image maps in reverse order" => (a, g) => stack(PerImage(a, g).Reverse().ToArray()),
            _ => throw new ArgumentOutOfRangeException(nameof(mistake)),
        };
        var result = Check.Keepdim(formula);
        AssertDiagnosis(result, code);
        if (code == FindingCodes.BroadcastMisaligned) Assert.Contains(result.Failures, f => f.Hint!.Contains("roadcast"));
    }

    [Fact]
    public void The_keepdim_values_hint_speaks_of_broadcasting()
    {
        var result = Check.Keepdim((a, g) => (g.mean([2, 3]).unsqueeze(-1).unsqueeze(-1) * a).sum(1).relu() + 0.5f * a.sum(1).sin());
        var failure = Assert.Single(result.Failures);
        Assert.Equal(FindingCodes.WrongValues, failure.Code);
        Assert.Contains("roadcast", failure.Hint);
    }

    // ---- Exercise 7 ----

    [Fact]
    public void Capstone_overlay_renormalised_by_one_plus_alpha_is_named_and_end_to_end_hints_do_not_claim_the_pieces_passed()
    {
        var found = FromScratchParts.Find(typeof(CapstoneAnswer).GetNestedTypes());
        var result = Check.FromScratch(new FromScratchParts
        {
            ActivationHook = found.ActivationHook, GradientHook = found.GradientHook, Cam = found.Cam, GradCam = found.GradCam,
            Overlay = (i, m, cm, a) => (i + Colours(i, m, cm) * a) / (1 + a),
        });
        AssertDiagnosis(result, FindingCodes.WrongBlend);
        Assert.DoesNotContain(result.Failures, f => f.Hint!.Contains("Each piece passed alone") || f.Hint.Contains("agree with the library one by one"));
    }

    /// <summary>The same idea in another form (add with alpha, then an in-place division), as the capstone's overlay piece alone.</summary>
    [Fact]
    public void Capstone_overlay_renormalised_by_one_plus_alpha_is_named_in_another_form()
    {
        var result = Check.FromScratch(new FromScratchParts { Overlay = (i, m, cm, a) => i.add(Colours(i, m, cm), alpha: a).div_(1 + a) });
        AssertDiagnosis(result, FindingCodes.WrongBlend);
        Assert.Contains(result.Failures, f => f.Code == FindingCodes.WrongBlend && f.Criterion.StartsWith("MyMaps.Overlay:"));
    }

    [Fact]
    public void Capstone_grad_cam_with_the_head_weights_is_named()
    {
        var found = FromScratchParts.Find(typeof(CapstoneAnswer).GetNestedTypes());
        var result = Check.FromScratch(new FromScratchParts
        {
            ActivationHook = found.ActivationHook, GradientHook = found.GradientHook, Cam = found.Cam, Overlay = found.Overlay,
            GradCam = (m, l, x, c) =>
            {
                using var mode = ModelModeScope.Eval(m);
                using var activations = new CapstoneAnswer.ActivationHook(l);
                using (no_grad()) m.call(x);
                var weights = m.modules().OfType<Linear>().Last().weight!.detach()[c];
                return einsum("k,kij->ij", weights, activations.Stored![0]).relu();
            },
        });
        AssertDiagnosis(result, FindingCodes.CamWeights);
        // End to end at layer3 (256 channels, 512 head weights) the same answer throws: named, not a bare exception.
        Assert.DoesNotContain(FindingCodes.Exception, result.Codes);
    }

    [Fact]
    public void Capstone_end_to_end_hint_says_which_piece_failed()
    {
        var found = FromScratchParts.Find(typeof(CapstoneAnswer).GetNestedTypes());
        var result = Check.FromScratch(new FromScratchParts
        {
            ActivationHook = found.ActivationHook, GradientHook = found.GradientHook, Cam = found.Cam, Overlay = found.Overlay,
            GradCam = (m, l, x, c) => found.GradCam!(m, l, x, c).sqrt(),
        });
        var endToEnd = Assert.Single(result.Failures, f => f.Criterion.StartsWith("your Grad-CAM of layer4"));
        Assert.Contains("MyMaps.GradCam", endToEnd.Hint);
        Assert.DoesNotContain("Each piece passed alone", endToEnd.Hint);
    }
}
