using CamNotebooks.Display;
using CamNotebooks.Hooks;
using static CamNotebooks.Exercises.TinyNets;
using static CamNotebooks.Tests.Maps.MapAssertions;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Hooks;

public class HookTests
{
    [Fact]
    public void A_hook_keeps_a_detached_copy_of_the_layer_output_that_outlives_dispose_scopes()
    {
        var model = GapNet();
        using var hook = Hook.ByName(model, "relu");
        using (NewDisposeScope())
        {
            var input = GapInput().requires_grad_();
            model.call(input);
        }
        Assert.Equal([1L, 2, 4, 4], hook.Stored.shape);
        Assert.False(hook.Stored.requires_grad);
        AssertClose(A0, hook.Stored[0, 0]); // still alive although the scope disposed everything the pass made
        AssertClose(A1, hook.Stored[0, 1]);
        Assert.Equal(1, hook.CallCount);
    }

    [Fact]
    public void The_previous_capture_is_released_when_a_new_pass_replaces_it()
    {
        var model = GapNet();
        using var hook = new Hook(L(model, "features"));
        using (no_grad()) model.call(GapInput());
        var first = hook.Stored;
        using (no_grad()) model.call(GapInput() * 2);
        Assert.True(first.IsInvalid);
        Assert.Equal(18f, hook.Stored[0, 0, 3, 3].item<float>()); // 2 · 9
        Assert.Equal(2, hook.CallCount);
        using var generic = Hook.Create<Tensor>(L(model, "fc"), "fc");
        using (no_grad()) model.call(GapInput());
        Assert.Equal([1L, 2], generic.Stored.shape);
        Assert.Equal("fc", generic.LayerName);
    }

    [Fact]
    public void Stored_before_a_pass_and_after_dispose_throws_a_clear_message_and_dispose_twice_is_harmless()
    {
        var model = GapNet();
        var hook = Hook.ByName(model, "relu");
        var early = Assert.Throws<InvalidOperationException>(() => hook.Stored);
        Assert.Contains("not captured anything yet", early.Message);
        Assert.Contains("call", early.Message);
        using (no_grad()) model.call(GapInput());
        hook.Dispose();
        hook.Dispose();
        var late = Assert.Throws<InvalidOperationException>(() => hook.Stored);
        Assert.Contains("disposed", late.Message);
        Assert.False(hook.IsRegistered);
        Assert.Equal(0, RegisteredHookCount(model));
        using (no_grad()) model.call(GapInput());
        Assert.False(hook.HasStored);
        Assert.Equal(1, hook.CallCount);
    }

    [Fact]
    public void Hooks_are_removed_when_an_exception_escapes_the_using_block()
    {
        var model = GapNet();
        Assert.Throws<DivideByZeroException>((Action)(() =>
        {
            using var one = Hook.ByName(model, "relu");
            using var two = new BackwardHook(L(model, "features"));
            using var group = HookGroup.ByNames(model, "features", "fc");
            Assert.Equal(4, RegisteredHookCount(model));
            throw new DivideByZeroException();
        }));
        Assert.Equal(0, RegisteredHookCount(model));
    }

    [Fact]
    public void The_backward_hook_captures_exactly_the_gradient_autograd_grad_computes()
    {
        var model = GapNet();
        var input = randn(1, 1, 4, 4, generator: new Generator(5));
        Tensor expected;
        {
            // Reference: capture the conv output ourselves and ask autograd for d score / d output. Sequential disposes
            // each intermediate output once used, so hand it an alias and keep the original.
            Tensor? features = null;
            var remover = L(model, "features").register_forward_hook((_, _, o) => { features = o; return o.alias(); });
            var logits = model.call(input);
            remover.remove();
            expected = autograd.grad([logits[0, 1]], [features!])[0];
        }
        using var hook = new BackwardHook(L(model, "features"));
        model.call(input)[0, 1].backward();
        Assert.Equal(expected.shape, hook.Stored.shape);
        AssertClose(ToArray(expected[0, 0]), hook.Stored[0, 0], 0);
        AssertClose(ToArray(expected[0, 1]), hook.Stored[0, 1], 0);
        // And the analytic value: W[1,k]/16 where the ReLU let the value through, 0 elsewhere.
        var convOut = L(model, "features").call(input).detach();
        var analytic = tensor(new float[] { 3f / 16, -1f / 16 }).reshape(1, 2, 1, 1) * (convOut > 0).to(ScalarType.Float32);
        AssertClose(ToArray(analytic[0, 1]), hook.Stored[0, 1]);
        model.zero_grad();
    }

    [Fact]
    public void The_backward_hook_leaves_the_models_output_and_parameter_gradients_unchanged()
    {
        var model = GapNet();
        var input = randn(2, 1, 4, 4, generator: new Generator(9));
        var plain = model.call(input);
        plain[0, 0].backward();
        var plainGrad = L(model, "features").parameters().First().grad!.clone();
        model.zero_grad();
        using var hook = BackwardHook.ByName(model, "relu");
        var hooked = model.call(input);
        hooked[0, 0].backward();
        Assert.True(plain.allclose(hooked));
        Assert.True(plainGrad.allclose(L(model, "features").parameters().First().grad!));
        Assert.Equal(1, hook.CallCount);
    }

    [Fact]
    public void Module_lookup_lists_the_available_names_when_a_name_is_missing()
    {
        var model = GapNet();
        var error = Assert.Throws<ArgumentException>(() => ModuleLookup.Find(model, "layer4"));
        Assert.Contains("'layer4'", error.Message);
        Assert.Contains("features, relu, pool, flatten, fc", error.Message);
        Assert.Same(L(model, "fc"), ModuleLookup.Find(model, "fc"));
        Assert.Equal("pool", ModuleLookup.NameOf(model, ModuleLookup.Find(model, "pool")));
    }

    [Fact]
    public void A_hook_group_with_a_bad_name_registers_nothing_and_a_good_one_hooks_every_layer()
    {
        var model = GapNet();
        Assert.Throws<ArgumentException>(() => HookGroup.ByNames(model, "features", "nope"));
        Assert.Equal(0, RegisteredHookCount(model));
        using (var group = HookGroup.ByNames(model, "features", "relu", "fc"))
        {
            using (no_grad()) model.call(GapInput());
            Assert.Equal(3, group.Count);
            Assert.Equal([1L, 2], group["fc"].Stored.shape);
            AssertClose(A0, group["relu"].Stored[0, 0]);
            Assert.Throws<KeyNotFoundException>(() => group["pool"]);
        }
        Assert.Equal(0, RegisteredHookCount(model));
    }

    [Fact]
    public void Model_mode_scope_restores_each_layers_own_mode()
    {
        var model = GapNet();
        model.train();
        L(model, "relu").eval();
        using (ModelModeScope.Eval(model))
            Assert.All(model.modules().Prepend(model), m => Assert.False(m.training));
        Assert.True(model.training);
        Assert.False(L(model, "relu").training);
        Assert.True(L(model, "fc").training);
    }

    [Fact]
    public void Activation_stats_record_mean_std_and_near_zero_share_per_layer_and_batch_while_training()
    {
        var model = GapNet();
        using (var stats = new ActivationStats(model, "relu", "fc"))
        {
            model.train();
            using (no_grad())
            {
                model.call(GapInput());
                model.call(GapInput());
                model.eval();
                model.call(GapInput()); // validation pass: not recorded
            }
            var relu = stats.For("relu");
            Assert.Equal([0, 1], relu.Select(r => r.Batch));
            // The 32 relu outputs: sum(A0) + sum(A1) = 45 + 24.5; 16 of them are exactly 0 (7 in A0, 9 in A1).
            Assert.Equal(69.5 / 32, relu[0].Mean, 5);
            Assert.Equal(0.5, relu[0].NearZeroShare, 6);
            var values = A0.Cast<float>().Concat(A1.Cast<float>()).Select(v => (double)v).ToArray();
            double mean = values.Average();
            double sampleStd = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)); // torch.std is unbiased
            Assert.Equal(sampleStd, relu[0].Std, 4);
            Assert.Equal(4, stats.History.Count);
            var json = Plotly.NET.GenericChart.toJson(stats.Chart());
            Assert.Contains("% near zero", json);
            Assert.Contains("\"name\":\"fc\"", json);
            // Every layer has one colour in all three panels, the one its legend entry shows; panel names sit above the
            // panels (annotations), not beside them as y-axis titles that would cover the neighbouring panel.
            using var figure = System.Text.Json.JsonDocument.Parse(json);
            var traces = figure.RootElement.GetProperty("data").EnumerateArray().ToList();
            Assert.Equal(3 * stats.LayerNames.Count, traces.Count);
            var colours = traces.GroupBy(t => t.GetProperty("name").GetString()!)
                .ToDictionary(g => g.Key, g => g.Select(t => t.GetProperty("line").GetProperty("color").GetString()).Distinct().ToList());
            Assert.All(colours.Values, c => Assert.Single(c));
            Assert.Equal(stats.LayerNames.Count, colours.Values.Select(c => c[0]).Distinct().Count());
            var layout = figure.RootElement.GetProperty("layout");
            Assert.Equal(["mean", "std", "% near zero"], layout.GetProperty("annotations").EnumerateArray().Select(a => a.GetProperty("text").GetString()));
            Assert.False(layout.TryGetProperty("yaxis2", out var panel2) && panel2.TryGetProperty("title", out _));
        }
        Assert.Equal(0, RegisteredHookCount(model));
    }
}
