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
    public enum Style { CloneThenDetach, CopyIntoZeros, KeepsAList, RemoverField, ToFloatCopy }

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

/// <summary>A backward hook written with <see cref="DelegateTap"/>, in a few styles.</summary>
public sealed class StyledGradientHook : ExerciseHook
{
    public enum Style { CloneThenDetach, UnderNoGrad, DisposesOld, ContiguousCopy, EmptyLikeCopy }

    private readonly Action _remove;

    public StyledGradientHook(Module<Tensor, Tensor> layer, Style style)
    {
        Action<Tensor> keep = style switch
        {
            Style.CloneThenDetach => g => Stored = g.clone().detach(),
            Style.UnderNoGrad => g => { using (no_grad()) Stored = g.clone(); },
            Style.DisposesOld => g => { var old = Stored; Stored = g.detach().clone(); old?.Dispose(); },
            Style.ContiguousCopy => g => Stored = g.detach().contiguous().clone(),
            _ => g => { using (no_grad()) Stored = empty_like(g).copy_(g); },
        };
        _remove = layer.register_forward_hook((module, input, output) => DelegateTap.apply(output, keep)).remove;
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
    };
}
