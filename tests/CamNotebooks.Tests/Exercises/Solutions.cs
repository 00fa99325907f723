using CamNotebooks.Exercises;
using CamNotebooks.Heatmaps;
using CamNotebooks.Hooks;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Exercises;

// The same code as the answer cells of notebooks/exercises/solutions/*.dib (ExerciseSolutionTests checks that each
// notebook contains it). Kept in one place so a change to an answer shows up in both.

/// <summary>Exercise 1's answer: a forward hook that keeps a detached copy of the output.</summary>
public class OutputHook : ExerciseHook
{
    private readonly Action _remove;

    public OutputHook(Module<Tensor, Tensor> layer)
    {
        _remove = layer.register_forward_hook((module, input, output) =>
        {
            Stored?.Dispose();
            Stored = output.detach().clone();
            return null!;
        }).remove;
    }

    public override void Dispose()
    {
        _remove();
        Stored?.Dispose();
        Stored = null;
    }
}

/// <summary>Exercise 3's answer, part 1: the identity whose backward keeps the gradient.</summary>
public class GradientTap : GuardedFunction<GradientTap>
{
    public override string Name => "GradientTap";

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

/// <summary>Exercise 3's answer, part 2: the hook that puts the tap on the layer's output.</summary>
public class GradientHook : ExerciseHook
{
    private readonly Action _remove;

    public GradientHook(Module<Tensor, Tensor> layer)
    {
        _remove = layer.register_forward_hook((module, input, output) => GradientTap.apply(output, this)).remove;
    }

    public void Keep(Tensor gradient)
    {
        Stored?.Dispose();
        Stored = gradient.detach().clone();
    }

    public override void Dispose() => _remove();
}

public static class Solutions
{
    /// <summary>Exercise 2.</summary>
    public static Tensor Cam(Tensor activations, Tensor weights, int classIndex) =>
        einsum("ck,kij->cij", weights, activations)[classIndex];

    /// <summary>Exercise 8: the sentence's activations [K, L], the head's weight [C, K] → the map [L].</summary>
    public static Tensor TextCam(Tensor activations, Tensor weights, int classIndex) =>
        einsum("ck,kl->cl", weights, activations)[classIndex];

    /// <summary>Exercise 4.</summary>
    public static Tensor GradCamOf(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, Tensor image, int classIndex)
    {
        using var evalMode = ModelModeScope.Eval(model);                  // explain the model as it predicts; its mode comes back at the end
        using var activations = new Hook(layer);
        using var gradients = new BackwardHook(layer);
        var input = image.detach().clone().requires_grad_(true); // gradients flow back only if something before the layer needs them
        var scores = model.call(input);
        scores[0, classIndex].backward();
        using (no_grad())
        {
            var weights = gradients.Stored.mean([2, 3], keepdim: true);   // [1, K, 1, 1]
            return (weights * activations.Stored).sum(1).relu()[0];      // [h, w]
        }
    }

    /// <summary>Exercise 5.</summary>
    public static Tensor Overlay(Tensor image, Tensor map, Colormap colormap, double alpha)
    {
        var scaled = (map - map.min()) / (map.max() - map.min());                      // 0..1
        var stretched = nn.functional.interpolate(scaled.unsqueeze(0).unsqueeze(0), [image.shape[1], image.shape[2]],
            mode: InterpolationMode.Bilinear, align_corners: false)[0, 0];             // [H, W]
        var colours = colormap.Apply(stretched);                                        // [3, H, W], 0..255
        return image * (1 - alpha) + colours * alpha;
    }

    /// <summary>Exercise 6.</summary>
    public static Tensor GradCamWithoutKeepdim(Tensor activations, Tensor gradients)
    {
        var weights = gradients.mean([2, 3]);                      // [N, K]
        var aligned = weights.unsqueeze(-1).unsqueeze(-1);         // [N, K, 1, 1]
        return (aligned * activations).sum(1).relu();              // [N, h, w]
    }
}
