using CamNotebooks.Exercises;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Tests.Exercises;

// Typical wrong answers to exercises 1 and 3, each a test fixture that its check must diagnose.

/// <summary>A forward hook with one configurable mistake.</summary>
public sealed class WrongOutputHook : ExerciseHook
{
    public enum Mistake { NotImplemented, ForgotDetach, DetachWithoutClone, CapturedInput, NeverRemoved, KeepsFirst, ChangesOutput, NeverRegisters, ThrowsInHook, PutsLayerInTraining, Alias, RemovesItselfAfterFirstPass, DetachedCpuView }

    private readonly Action _remove = () => { };

    public WrongOutputHook(Module<Tensor, Tensor> layer, Mistake mistake)
    {
        if (mistake == Mistake.NotImplemented) throw new NotImplementedException();
        if (mistake == Mistake.NeverRegisters) return;
        if (mistake == Mistake.PutsLayerInTraining) layer.train();
        Action? removeSelf = null;
        var remover = layer.register_forward_hook((module, input, output) =>
        {
            switch (mistake)
            {
                case Mistake.Alias: Stored = output.alias(); break;
                case Mistake.DetachedCpuView: Stored = output.detach().cpu(); break;
                case Mistake.RemovesItselfAfterFirstPass: Stored = output.detach().clone(); removeSelf!(); break;
                case Mistake.ForgotDetach: Stored = output.clone(); break;
                case Mistake.DetachWithoutClone: Stored = output.detach(); break;
                case Mistake.CapturedInput: Stored = input.detach().clone(); break;
                case Mistake.KeepsFirst: Stored ??= output.detach().clone(); break;
                case Mistake.ChangesOutput: Stored = output.detach().clone(); return output * 2;
                case Mistake.ThrowsInHook: throw new InvalidOperationException("oops");
                default: Stored = output.detach().clone(); break;
            }
            return null!;
        });
        removeSelf = remover.remove;
        if (mistake != Mistake.NeverRemoved) _remove = remover.remove;
    }

    public override void Dispose() => _remove();
}

/// <summary>A gradient tap with a configurable mistake in its backward.</summary>
public sealed class WrongTap : GuardedFunction<WrongTap>
{
    public override string Name => "WrongTap";

    protected override Tensor Forward(AutogradContext ctx, object[] inputs)
    {
        ctx.save_data("hook", inputs[1]);
        return ((Tensor)inputs[0]).alias();
    }

    protected override List<Tensor> Backward(AutogradContext ctx, Tensor gradient)
    {
        var hook = (WrongGradientHook)ctx.get_data("hook");
        switch (hook.Kind)
        {
            case WrongGradientHook.Mistake.DoublesGradient:
                hook.Keep(gradient);
                return [gradient * 2, null!];
            case WrongGradientHook.Mistake.ThrowsInBackward:
                throw new InvalidOperationException("oops in backward");
            case WrongGradientHook.Mistake.OneGradientOnly:
                hook.Keep(gradient);
                return [gradient];
            case WrongGradientHook.Mistake.ScalesByPositions:
                hook.Keep(gradient / (gradient.shape[2] * gradient.shape[3]));
                return [gradient, null!];
            case WrongGradientHook.Mistake.KeepsFirst:
                if (hook.Stored is null) hook.Keep(gradient);
                return [gradient, null!];
            default:
                hook.Keep(gradient);
                return [gradient, null!];
        }
    }
}

/// <summary>A gradient hook with one configurable mistake.</summary>
public sealed class WrongGradientHook : ExerciseHook
{
    public enum Mistake { NotImplemented, StoresActivations, DoublesGradient, TapNotReturned, KeepsFirst, TapsInput, NeverRemoved, ThrowsInBackward, OneGradientOnly, ScalesByPositions }

    private readonly Action _remove = () => { };

    public WrongGradientHook(Module<Tensor, Tensor> layer, Mistake mistake)
    {
        Kind = mistake;
        if (mistake == Mistake.NotImplemented) throw new NotImplementedException();
        if (mistake == Mistake.TapsInput)
        {
            _remove = layer.register_forward_pre_hook((module, input) => WrongTap.apply(input, this)).remove;
            return;
        }
        var remover = layer.register_forward_hook((module, input, output) => mistake switch
        {
            Mistake.StoresActivations => Store(output),
            Mistake.TapNotReturned => Ignore(WrongTap.apply(output, this)),
            _ => WrongTap.apply(output, this),
        });
        if (mistake != Mistake.NeverRemoved) _remove = remover.remove;
    }

    public Mistake Kind { get; }

    public void Keep(Tensor gradient) => Stored = gradient.detach().clone();

    private Tensor Store(Tensor output)
    {
        Stored = output.detach().clone();
        return null!;
    }

    private static Tensor Ignore(Tensor _) => null!;

    public override void Dispose() => _remove();
}
