using System.Reflection;
using CamNotebooks.Hooks;
using CamNotebooks.Maps;
using static CamNotebooks.Exercises.TinyNets;
using static CamNotebooks.Tests.Maps.MapAssertions;
using static TorchSharp.torch;

namespace CamNotebooks.Tests.Maps;

/// <summary>The one abstraction every map method shares: <see cref="CamMethod"/> and the list <see cref="CamMethods.All"/>.</summary>
public class CamMethodTests
{
    [Fact]
    public void The_list_holds_every_method_the_library_defines_once_with_unique_names_in_the_chapters_order()
    {
        // Every public static CamMethod property of the library (each method's file declares one) must be in the list.
        var declared = typeof(CamMethod).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.Static))
            .Where(p => p.PropertyType == typeof(CamMethod))
            .Select(p => (CamMethod)p.GetValue(null)!)
            .ToList();
        Assert.Equal(declared.Count, CamMethods.All.Count);
        Assert.Equal(declared.OrderBy(m => m.Name), CamMethods.All.OrderBy(m => m.Name));
        Assert.Equal(CamMethods.All.Count, CamMethods.All.Select(m => m.Name).Distinct().Count());
        // The chapters' four come first, in the order they are introduced; a new method goes after them.
        Assert.Equal(["CAM", "Grad-CAM", "Grad-CAM++", "LayerCAM"], CamMethods.All.Take(4).Select(m => m.Name));
        Assert.Equal([true, false, false, false], CamMethods.All.Take(4).Select(m => m.LastStageOnly));
    }

    [Fact]
    public void Each_method_gives_the_same_map_with_the_layer_as_a_module_or_by_name()
    {
        foreach (var method in CamMethods.All)
        {
            var model = GapNet();
            var input = randn(2, 1, 4, 4, generator: new Generator(3));
            using var byName = method.Compute(model, "relu", input, [0, 1], head: "fc");
            using var byModule = method.Compute(model, L(model, "relu"), input, [0, 1], head: L(model, "fc"));
            Assert.Equal(method.Name, byName.Method);
            Assert.Equal("relu", byModule.LayerName);
            Assert.True(Same(byName.Maps, byModule.Maps), $"{method.Name}: the maps by name and by module differ");
            Assert.True(byName.Maps.abs().sum().item<float>() > 0, $"{method.Name}: an all-zero map proves nothing");
        }
    }

    [Fact]
    public void The_learner_facing_calls_are_the_methods_own_compute()
    {
        var model = GapNet();
        var input = randn(2, 1, 4, 4, generator: new Generator(5));
        using var cam = ClassActivationMap.Compute(model, "relu", L(model, "fc"), input, [1]);
        using var camMethod = ClassActivationMap.Method.Compute(model, L(model, "relu"), input, [1], head: "fc");
        Assert.True(Same(cam.Maps, camMethod.Maps));
        foreach (var (compute, method) in new (Func<CamResult>, CamMethod)[]
                 {
                     (() => GradCam.Compute(model, "relu", input, [1]), GradCam.Method),
                     (() => GradCamPlusPlus.Compute(model, L(model, "relu"), input, [1]), GradCamPlusPlus.Method),
                     (() => LayerCam.Compute(model, "relu", input, [1]), LayerCam.Method),
                 })
        {
            using var convenient = compute();
            using var direct = method.Compute(model, "relu", input, [1]);
            Assert.Equal(method.Name, convenient.Method);
            Assert.True(Same(convenient.Maps, direct.Maps), method.Name);
        }
    }

    [Fact]
    public void Needs_gradients_is_true_exactly_for_the_methods_that_run_a_backward_pass()
    {
        foreach (var method in CamMethods.All)
        {
            var model = GapNet();
            // A backward hook on the head (after the probed layer) records only when a gradient flows back through it.
            using var gradientThroughHead = BackwardHook.ByName(model, "fc");
            using (method.Compute(model, "relu", GapInput(), [0], head: "fc")) { }
            Assert.True(method.NeedsGradients == gradientThroughHead.HasStored,
                $"{method.Name}: NeedsGradients = {method.NeedsGradients}, but a backward pass {(gradientThroughHead.HasStored ? "ran" : "did not run")}");
        }
    }

    [Fact]
    public void Inside_inference_mode_only_the_methods_that_need_gradients_refuse()
    {
        var model = GapNet();
        using var inference = inference_mode();
        foreach (var method in CamMethods.All)
        {
            if (method.NeedsGradients)
                Assert.Contains("need gradients", Assert.Throws<InvalidOperationException>(
                    () => method.Compute(model, "relu", GapInput(), head: "fc")).Message);
            else
                method.Compute(model, "relu", GapInput(), head: "fc").Dispose();
        }
    }

    [Fact]
    public void A_last_stage_only_method_refuses_an_inner_layer_with_a_clear_error_the_others_accept_it()
    {
        // "features" (the convolution before the ReLU) has the same 2 channels as "relu", but its average is not what fc reads.
        var model = GapNet();
        foreach (var method in CamMethods.All)
        {
            if (method.LastStageOnly)
            {
                var error = Assert.Throws<ArgumentException>(() => method.Compute(model, "features", GapInput(), head: "fc"));
                Assert.Equal("layer", error.ParamName);
                Assert.Contains("Layer 'features' is not the layer whose averaged output the head reads", error.Message);
                Assert.Contains("for inner layers use Grad-CAM", error.Message);
                var noHead = Assert.Throws<ArgumentException>(() => method.Compute(model, "relu", GapInput()));
                Assert.Equal("head", noHead.ParamName);
                Assert.Contains("final Linear layer", noHead.Message);
            }
            else
                method.Compute(model, "features", GapInput(), head: "fc").Dispose();
        }
    }

    [Fact]
    public void A_new_method_is_one_object_and_its_formula_gets_only_what_it_declared()
    {
        // XGrad-CAM-like weights (Σ_ij A·g / Σ_ij A), as a learner would add a method.
        var xGradCam = new CamMethod("XGrad-CAM", needsGradients: true, lastStageOnly: false, inputs =>
        {
            var a = inputs.Activations;
            var weights = (a * inputs.Gradients).sum([2, 3], keepdim: true) / (a.sum([2, 3], keepdim: true) + 1e-7);
            return (weights * a).sum(1).relu();
        });
        using var result = xGradCam.Compute(GapNet(), "relu", GapInput(), [0]);
        Assert.Equal("XGrad-CAM", result.Method);
        Assert.Equal(new long[] { 1, 4, 4 }, result.Maps.shape);

        var forgotTheFlag = new CamMethod("forgot", needsGradients: false, lastStageOnly: false,
            inputs => GradCam.Formula(inputs.Activations, inputs.Gradients));
        Assert.Contains("needsGradients: true", Assert.Throws<InvalidOperationException>(
            () => forgotTheFlag.Compute(GapNet(), "relu", GapInput())).Message);
        var readsTheHead = new CamMethod("head", needsGradients: true, lastStageOnly: false,
            inputs => ClassActivationMap.Formula(inputs.Activations, inputs.HeadWeights, inputs.Classes));
        Assert.Contains("lastStageOnly: true", Assert.Throws<InvalidOperationException>(
            () => readsTheHead.Compute(GapNet(), "relu", GapInput(), head: "fc")).Message);
    }

    [Fact]
    public void Each_formula_is_pure_the_method_applies_it_to_the_probed_tensors()
    {
        // The formula alone, on hooked activations and the head's weights, gives the same CAM as the whole method.
        var model = GapNet();
        using var hook = Hook.ByName(model, "relu");
        using (no_grad()) model.call(GapInput());
        var weights = ((TorchSharp.Modules.Linear)L(model, "fc")).weight!.detach();
        using var inputs = NewDisposeScope();
        var byFormula = ClassActivationMap.Method.Formula(new CamInputs(hook.Stored, null, weights, [1]));
        using var byMethod = ClassActivationMap.Method.Compute(model, "relu", GapInput(), [1], head: "fc");
        Assert.True(Same(byFormula, byMethod.Maps));
    }

    /// <summary>Same shape and bit-for-bit equal values.</summary>
    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [Fact]
    public void A_null_layer_is_refused_by_name_of_the_argument()
    {
        Assert.Throws<ArgumentNullException>(() => GradCam.Compute(GapNet(), (string)null!, GapInput()));
        Assert.Throws<ArgumentNullException>(() => GradCam.Compute(GapNet(), (TorchSharp.torch.nn.Module<Tensor, Tensor>)null!, GapInput()));
        Assert.Throws<ArgumentNullException>(() => GradCam.Method.Compute(GapNet(), null!, GapInput()));
    }
}
