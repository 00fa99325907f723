using CamNotebooks.Exercises;
using CamNotebooks.Heatmaps;
using CamNotebooks.Hooks;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Exercises;

// Correct answers written in other styles than the solutions: a check judges what the code does, so each must pass.

/// <summary>Exercise 1 in other styles.</summary>
public sealed class StyledOutputHook : ExerciseHook
{
    public enum Style { CloneThenDetach, CopyIntoZeros, KeepsAList, RemoverField, ToFloatCopy, CloneUnderNoGrad, CopiedThroughAnArray, DisposesTheOldCopy }

    private readonly Action _remove;
    private readonly List<Tensor> _history = [];
    private readonly Style _style;

    public StyledOutputHook(Module<Tensor, Tensor> layer, Style style)
    {
        _style = style;
        _remove = layer.register_forward_hook((module, input, output) =>
        {
            switch (style)
            {
                case Style.CloneThenDetach: base.Stored = output.clone().detach(); break;
                case Style.CopyIntoZeros:
                    using (no_grad()) base.Stored = zeros_like(output).copy_(output);
                    break;
                case Style.KeepsAList: _history.Add(output.detach().clone()); break;
                case Style.RemoverField: base.Stored = output.detach().clone(); break;
                case Style.ToFloatCopy: base.Stored = output.detach().to(ScalarType.Float32, copy: true); break;
                case Style.CloneUnderNoGrad:
                    using (no_grad()) base.Stored = output.clone();
                    break;
                case Style.CopiedThroughAnArray: base.Stored = tensor(output.data<float>().ToArray(), output.shape); break;
                case Style.DisposesTheOldCopy:
                    var old = base.Stored;
                    base.Stored = output.detach().clone();
                    old?.Dispose();
                    break;
            }
            return null!;
        }).remove;
    }

    public override Tensor? Stored
    {
        get => _style == Style.KeepsAList ? _history.LastOrDefault() : base.Stored;
        protected set => base.Stored = value;
    }

    public override void Dispose() => _remove();
}

/// <summary>Exercise 3 in other styles: the tap reports through a delegate, keeps clone().detach(), or stores under no_grad.</summary>
public sealed class DelegateTap : GuardedFunction<DelegateTap>
{
    public override string Name => "DelegateTap";

    protected override Tensor Forward(TorchSharp.torch.autograd.AutogradContext ctx, object[] inputs)
    {
        ctx.save_data("keep", inputs[1]);
        return ((Tensor)inputs[0]).alias();
    }

    protected override List<Tensor> Backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor gradient)
    {
        ((Action<Tensor>)ctx.get_data("keep"))(gradient);
        return [gradient, null!];
    }
}

/// <summary>A tap whose Forward returns a detached view: harmless, since autograd attaches what a function's forward returns to the function.</summary>
public sealed class DetachingTap : GuardedFunction<DetachingTap>
{
    public override string Name => "DetachingTap";

    protected override Tensor Forward(TorchSharp.torch.autograd.AutogradContext ctx, object[] inputs)
    {
        ctx.save_data("keep", inputs[1]);
        return ((Tensor)inputs[0]).detach();
    }

    protected override List<Tensor> Backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor gradient)
    {
        ((Action<Tensor>)ctx.get_data("keep"))(gradient);
        return [gradient, null!];
    }
}

/// <summary>A backward hook written with <see cref="DelegateTap"/>, in a few styles.</summary>
public sealed class StyledGradientHook : ExerciseHook
{
    public enum Style { CloneThenDetach, UnderNoGrad, DisposesOld, ContiguousCopy, EmptyLikeCopy, CopiedThroughAnArray, MulByOne, RetainGrad, KeptAsGiven, DetachInTapForward }

    private readonly Action _remove;
    private readonly Style _style;
    private Tensor? _kept;

    public StyledGradientHook(Module<Tensor, Tensor> layer, Style style)
    {
        _style = style;
        if (style == Style.RetainGrad)
        {
            // PyTorch habit: keep the output, ask autograd to retain its gradient, read .grad afterwards.
            _remove = layer.register_forward_hook((module, input, output) => { output.retain_grad(); _kept = output.alias(); return null!; }).remove;
            return;
        }
        Action<Tensor> keep = style switch
        {
            Style.CloneThenDetach => g => Stored = g.clone().detach(),
            Style.UnderNoGrad => g => { using (no_grad()) Stored = g.clone(); },
            Style.DisposesOld => g => { var old = Stored; Stored = g.detach().clone(); old?.Dispose(); },
            Style.ContiguousCopy => g => Stored = g.detach().contiguous().clone(),
            Style.CopiedThroughAnArray => g => Stored = tensor(g.data<float>().ToArray(), g.shape),
            Style.MulByOne => g => { using (no_grad()) Stored = g * 1; },
            // No copy: autograd hands backward a gradient nothing else writes to afterwards, so keeping it as given is fine.
            Style.KeptAsGiven => g => Stored = g,
            _ => g => { using (no_grad()) Stored = empty_like(g).copy_(g); },
        };
        _remove = style == Style.DetachInTapForward
            ? layer.register_forward_hook((module, input, output) => DetachingTap.apply(output, keep)).remove
            : layer.register_forward_hook((module, input, output) => DelegateTap.apply(output, keep)).remove;
    }

    public override Tensor? Stored
    {
        get => _style == Style.RetainGrad ? _kept?.grad?.detach().clone() : base.Stored;
        protected set => base.Stored = value;
    }

    public override void Dispose() => _remove();
}

/// <summary>Exercises 2, 4, 5 and 6 written other ways.</summary>
public static class CorrectStyles
{
    public static readonly Dictionary<string, CamFunction> Cam = new()
    {
        ["einsum"] = Solutions.Cam,
        ["matmul on flattened positions"] = (a, w, c) => w[c].matmul(a.reshape(a.shape[0], -1)).reshape(a.shape[1], a.shape[2]),
        ["permute then matmul"] = (a, w, c) => a.permute(1, 2, 0).matmul(w[c]),
        ["broadcasting"] = (a, w, c) => (w[c].reshape(-1, 1, 1) * a).sum(dim: 0),
        ["a loop over channels"] = (a, w, c) =>
        {
            var map = zeros(a.shape[1], a.shape[2]);
            for (long k = 0; k < a.shape[0]; k++) map += w[c, k] * a[k];
            return map;
        },
        ["tensordot under no_grad"] = (a, w, c) => { using (no_grad()) return tensordot(w[c], a, [0], [0]); },
        ["all classes by unsqueeze-broadcasting, then one"] = (a, w, c) => (w.unsqueeze(-1).unsqueeze(-1) * a.unsqueeze(0)).sum(1)[c],
        ["tensordot of all classes, then one"] = (a, w, c) => tensordot(w, a, [1], [0])[c],
        ["bmm on a batch of one"] = (a, w, c) => w[c].reshape(1, 1, -1).bmm(a.flatten(1).unsqueeze(0)).reshape(a.shape[1], a.shape[2]),
        ["a loop over classes, keeping the asked one"] = (a, w, c) =>
        {
            Tensor? map = null;
            for (int k = 0; k < w.shape[0]; k++)
            {
                var m = einsum("k,kij->ij", w[k], a);
                if (k == c) map = m;
            }
            return map!;
        },
        ["a 1x1 convolution"] = (a, w, c) => nn.functional.conv2d(a.unsqueeze(0), w[c].reshape(1, -1, 1, 1))[0, 0],
        ["linear over channels-last positions"] = (a, w, c) => nn.functional.linear(a.permute(1, 2, 0), w)[.., .., c],
        ["in float64, back to float32"] = (a, w, c) =>
            einsum("k,kij->ij", w[c].to(ScalarType.Float64), a.to(ScalarType.Float64)).to(ScalarType.Float32),
    };

    public static readonly Dictionary<string, GradCamFunction> GradCam = new()
    {
        ["hooks in a ModelModeScope (the solution)"] = Solutions.GradCamOf,
        ["eval() first, as the book does"] = (model, layer, image, c) =>
        {
            model.eval();
            using var activations = new Hook(layer);
            using var gradients = new BackwardHook(layer);
            var x = image.detach().clone().requires_grad_(true);
            model.call(x)[0, c].backward();
            using (no_grad()) return (gradients.Stored.mean([2, 3], keepdim: true) * activations.Stored).sum(1).relu()[0];
        },
        ["autograd.grad on a handle kept by a forward hook"] = (model, layer, image, c) =>
        {
            model.eval();
            Tensor? kept = null;
            var remover = layer.register_forward_hook((m, i, o) => { kept = o.alias(); return null!; });
            try
            {
                var scores = model.call(image.detach().clone().requires_grad_(true));
                var gradient = autograd.grad([scores[0, c]], [kept!])[0];
                using (no_grad()) return einsum("k,kij->ij", gradient[0].mean([1, 2]), kept![0]).relu();
            }
            finally { remover.remove(); }
        },
        ["a loop over channels, mode restored by hand"] = (model, layer, image, c) =>
        {
            bool wasTraining = model.training;
            model.eval();
            try
            {
                using var activations = new Hook(layer);
                using var gradients = new BackwardHook(layer);
                model.call(image.detach().clone().requires_grad_(true))[0, c].backward();
                var a = activations.Stored[0];
                var g = gradients.Stored[0];
                var map = zeros(a.shape[1], a.shape[2]);
                for (long k = 0; k < a.shape[0]; k++) map += g[k].mean() * a[k];
                return map.relu();
            }
            finally { model.train(wasTraining); }
        },
        ["the learner's own hooks from exercises 1 and 3, matmul"] = (model, layer, image, c) =>
        {
            using var mode = ModelModeScope.Eval(model);
            using var activations = new OutputHook(layer);
            using var gradients = new GradientHook(layer);
            model.call(image.detach().clone().requires_grad_(true))[0, c].backward();
            var a = activations.Stored![0];
            var weights = gradients.Stored![0].mean([1, 2]);
            return weights.matmul(a.reshape(a.shape[0], -1)).reshape(a.shape[1], a.shape[2]).relu();
        },
        ["no_grad around the formula, clamp(min: 0)"] = (model, layer, image, c) =>
        {
            using var mode = ModelModeScope.Eval(model);
            using var activations = new Hook(layer);
            using var gradients = new BackwardHook(layer);
            model.call(image.detach().clone().requires_grad_(true))[0, c].backward();
            using var _ = no_grad();
            return (gradients.Stored.mean([2, 3]).unsqueeze(-1).unsqueeze(-1) * activations.Stored).sum(1).clamp(min: 0)[0];
        },
        ["zero_grad first and train(false), as a PyTorch loop would"] = (model, layer, image, c) =>
        {
            bool wasTraining = model.training;
            model.train(false);
            model.zero_grad();
            using var activations = new Hook(layer);
            using var gradients = new BackwardHook(layer);
            model.call(image.detach().clone().requires_grad_(true))[0, c].backward();
            model.train(wasTraining);
            using (no_grad()) return (gradients.Stored.mean([2, 3], keepdim: true) * activations.Stored).sum(1).relu()[0];
        },
        ["parameters frozen by hand and given back, enable_grad inside a no_grad caller"] = (model, layer, image, c) =>
        {
            using var mode = ModelModeScope.Eval(model);
            var flags = model.parameters().Select(p => (p, p.requires_grad)).ToList();
            foreach (var (p, _) in flags) p.requires_grad = false;
            try
            {
                using var outer = no_grad();
                using var activations = new Hook(layer);
                using var gradients = new BackwardHook(layer);
                using (enable_grad()) model.call(image.detach().clone().requires_grad_(true))[0, c].backward();
                return (gradients.Stored.mean([2, 3], keepdim: true) * activations.Stored).sum(1).relu()[0];
            }
            finally { foreach (var (p, flag) in flags) p.requires_grad = flag; }
        },
        ["retain_grad on the output a hook kept, eval() first"] = (model, layer, image, c) =>
        {
            model.eval();
            Tensor? kept = null;
            var remover = layer.register_forward_hook((m, i, o) => { o.retain_grad(); kept = o.alias(); return null!; });
            try
            {
                model.call(image.detach().clone().requires_grad_(true))[0, c].backward();
                using var _ = no_grad();
                var a = kept!.detach();
                return (kept.grad!.mean(new long[] { 2, 3 }, keepdim: true) * a).sum(1).relu()[0];
            }
            finally { remover.remove(); }
        },
        ["a hook that cuts the graph at the layer (a new leaf)"] = (model, layer, image, c) =>
        {
            using var mode = ModelModeScope.Eval(model);
            Tensor? leaf = null;
            var remover = layer.register_forward_hook((m, i, o) =>
            {
                var replacement = o.detach().clone().requires_grad_(true);
                leaf = replacement.alias(); // the model frees the layer's output (this replacement too) once the next layer used it
                return replacement;
            });
            try
            {
                model.call(image)[0, c].backward();
                using (no_grad()) return (leaf!.grad!.mean([2, 3], keepdim: true) * leaf).sum(1).relu()[0];
            }
            finally { remover.remove(); }
        },
        ["a one-hot score, no_grad only for the formula"] = (model, layer, image, c) =>
        {
            using var mode = ModelModeScope.Eval(model);
            using var activations = new Hook(layer);
            using var gradients = new BackwardHook(layer);
            var scores = model.call(image.detach().clone().requires_grad_(true));
            var oneHot = nn.functional.one_hot(tensor(new long[] { c }), scores.shape[1]).to(ScalarType.Float32);
            (scores * oneHot).sum().backward();
            using var _ = no_grad();
            var weights = gradients.Stored.flatten(2).mean([2]);
            return einsum("nk,nkij->nij", weights, activations.Stored).relu()[0];
        },
        ["gradients summed, divided by h·w; sum over the batch column"] = (model, layer, image, c) =>
        {
            using var mode = ModelModeScope.Eval(model);
            using var activations = new StyledOutputHook(layer, StyledOutputHook.Style.CloneUnderNoGrad);
            using var gradients = new StyledGradientHook(layer, StyledGradientHook.Style.UnderNoGrad);
            model.call(image.detach().clone().requires_grad_(true))[.., c].sum().backward();
            var g = gradients.Stored!;
            var weights = g.sum([2, 3], keepdim: true) / (g.shape[2] * g.shape[3]);
            return (weights * activations.Stored!).sum(1)[0].relu();
        },
    };

    public static readonly Dictionary<string, OverlayFunction> Overlay = new()
    {
        ["the solution"] = Solutions.Overlay,
        ["the library's pieces"] = (image, map, colormap, alpha) =>
            HeatmapMath.Blend(image, HeatmapMath.Upsample(HeatmapMath.Normalize(map), image.shape[1], image.shape[2]), colormap, alpha),
        ["scale after stretching"] = (image, map, colormap, alpha) =>
        {
            var stretched = nn.functional.interpolate(map[TensorIndex.None, TensorIndex.None], [image.shape[1], image.shape[2]],
                mode: InterpolationMode.Bilinear, align_corners: false)[0, 0];
            var scaled = (stretched - stretched.min()) / (stretched.max() - stretched.min());
            return image * (1 - alpha) + colormap.Apply(scaled) * alpha;
        },
        ["lerp"] = (image, map, colormap, alpha) =>
        {
            var scaled = (map - map.min()) / (map.max() - map.min());
            var colours = colormap.Apply(nn.functional.interpolate(scaled.unsqueeze(0).unsqueeze(0), [image.shape[1], image.shape[2]],
                mode: InterpolationMode.Bilinear, align_corners: false).squeeze(0).squeeze(0));
            return image.lerp(colours, alpha);
        },
        ["aminmax via sort, in a dispose scope"] = (image, map, colormap, alpha) =>
        {
            using var scope = NewDisposeScope();
            var sorted = map.flatten().sort().Values;
            var scaled = (map - sorted[0]) / (sorted[-1] - sorted[0]);
            var big = nn.functional.upsample(scaled.unsqueeze(0).unsqueeze(0), [image.shape[1], image.shape[2]],
                mode: UpsampleMode.Bilinear, align_corners: false)[0, 0];
            return (image + (colormap.Apply(big) - image) * alpha).MoveToOuterDisposeScope();
        },
        ["upsample with a size, a small epsilon, add with alpha"] = (image, map, colormap, alpha) =>
        {
            var scaled = (map - map.min()) / (map.max() - map.min() + 1e-8);
            var big = nn.functional.upsample(scaled[TensorIndex.None, TensorIndex.None], [image.shape[1], image.shape[2]], mode: UpsampleMode.Bilinear, align_corners: false)[0, 0];
            return image.mul(1 - alpha).add(colormap.Apply(big), alpha);
        },
        ["grid_sample on an identity grid, clamp to 0..255"] = (image, map, colormap, alpha) =>
        {
            var scaled = map.sub(map.min()).div(map.max().sub(map.min()));
            var identity = tensor(new float[] { 1, 0, 0, 0, 1, 0 }).reshape(1, 2, 3);
            var grid = nn.functional.affine_grid(identity, [1, 1, image.shape[1], image.shape[2]], align_corners: false);
            var big = nn.functional.grid_sample(scaled[TensorIndex.None, TensorIndex.None], grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false)[0, 0];
            return (image * (1 - alpha) + colormap.Apply(big.clamp(0, 1)) * alpha).clamp(0, 255);
        },
        ["the photo minus alpha times (photo − colours)"] = (image, map, colormap, alpha) =>
        {
            var scaled = (map - map.min()) / (map.max() - map.min());
            var big = nn.functional.interpolate(scaled[TensorIndex.None, TensorIndex.None], [image.shape[1], image.shape[2]], mode: InterpolationMode.Bilinear, align_corners: false)[0, 0];
            var colours = colormap.Apply(big);
            return image - (image - colours) * alpha;
        },
        ["expanded to a batch, squeeze, torch.lerp"] = (image, map, colormap, alpha) =>
        {
            var scaled = (map - map.min()) / (map.max() - map.min());
            var big = nn.functional.interpolate(scaled.expand(1, 1, -1, -1), [image.shape[1], image.shape[2]], mode: InterpolationMode.Bilinear, align_corners: false);
            return torch.lerp(image, colormap.Apply(big.squeeze()), alpha);
        },
    };

    public static readonly Dictionary<string, GradCamFormula> Keepdim = new()
    {
        ["the solution"] = Solutions.GradCamWithoutKeepdim,
        ["einsum"] = (a, g) => einsum("nk,nkij->nij", g.mean([2, 3]), a).relu(),
        ["view"] = (a, g) => (g.mean([2, 3]).view(g.shape[0], g.shape[1], 1, 1) * a).sum(1).relu(),
        ["unsqueeze(2).unsqueeze(3)"] = (a, g) => (g.mean([2, 3]).unsqueeze(2).unsqueeze(3) * a).sum(1).relu(),
        ["a loop over the images"] = (a, g) => stack(Enumerable.Range(0, (int)a.shape[0])
            .Select(n => einsum("k,kij->ij", g[n].mean([1, 2]), a[n]).relu()).ToArray()),
        ["bmm"] = (a, g) => g.mean([2, 3]).unsqueeze(1).bmm(a.flatten(2)).reshape(a.shape[0], a.shape[2], a.shape[3]).relu(),
        ["flatten then index with None"] = (a, g) => (g.flatten(2).mean([2])[.., .., TensorIndex.None, TensorIndex.None] * a).sum(1).relu(),
        ["sum divided by h·w, expand_as"] = (a, g) => ((g.sum([2, 3]) / (g.shape[2] * g.shape[3])).reshape(g.shape[0], g.shape[1], 1, 1).expand_as(a) * a).sum(1).relu(),
        ["matmul, clamp(min: 0)"] = (a, g) => g.mean([2, 3]).unsqueeze(1).matmul(a.flatten(2)).squeeze(1).reshape(a.shape[0], a.shape[2], a.shape[3]).clamp(min: 0),
        ["activations permuted so [N, K] meets N and K, then back"] = (a, g) => (g.mean([2, 3]) * a.permute(2, 3, 0, 1)).sum(-1).permute(2, 0, 1).relu(),
        ["one map per image in a loop, stacked along dimension 0"] = (a, g) =>
        {
            var maps = new List<Tensor>();
            for (long n = 0; n < a.shape[0]; n++) maps.Add((g[n].mean([1, 2]).reshape(-1, 1, 1) * a[n]).sum(dim: 0).clamp_min(0));
            return stack(maps, 0);
        },
        ["a loop over channels"] = (a, g) =>
        {
            var weights = g.mean([2, 3]);
            var maps = zeros(a.shape[0], a.shape[2], a.shape[3]);
            for (long k = 0; k < a.shape[1]; k++) maps += weights[.., k].reshape(-1, 1, 1) * a[.., k];
            return maps.relu();
        },
    };
}
