using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>Exercise 1, a forward hook, against <see cref="Hook"/>; its cases and criteria are the plan.</summary>
internal static class ForwardHookExercise
{
    private const string Title = "Exercise 1: a forward hook";

    private static readonly string[] Plan =
    [
        "a hand-built conv followed by an in-place ReLU: your hook stores the conv's output (not its input), as a copy the ReLU cannot change, detached from the graph",
        "the model's output is unchanged with your hook on",
        "Dispose removes the hook",
        "the real ResNet's layer4 on two photos in turn: the latest pass's output is stored, and Dispose removes the hook",
    ];

    internal const string RegistrationHint =
        "A forward hook is registered on the layer with register_forward_hook((module, input, output) => ...); it fires each time " +
        "the layer runs through call(x), and should return null to leave the layer's output as it is.";

    private const string OutputHint = "The hook receives (module, input, output): keep the output.";

    internal const string FreedByYourCodeHint =
        "A dispose scope, or a using, frees every tensor made inside it when it ends: what a hook keeps must outlive the call that made it.";

    public static CheckResult Run(Func<Module<Tensor, Tensor>, ExerciseHook> createHook) => CheckRecorder.Run(Title, Plan, createHook, r =>
    {
        if (HandBuilt(r, createHook) && !r.Failed) RealLayer(r, createHook);
    });

    /// <summary>conv (×2) then an in-place ReLU, input with negative values: the copy, detached, the output untouched, Dispose.</summary>
    private static bool HandBuilt(CheckRecorder r, Func<Module<Tensor, Tensor>, ExerciseHook> createHook)
    {
        var net = TinyNets.InPlaceNet();
        var conv = ModuleLookup.FindTensorModule(net, "conv");
        var input = TinyNets.InPlaceInput();
        var expected = input * 2; // the conv's output, before the ReLU overwrote it
        var before = HookRegistry.Snapshot(net);
        // Hooks run in the order they were registered: one before the learner's and one after see whether theirs replaced the output.
        Tensor? outputBefore = null, outputAfter = null;
        var watchBefore = conv.register_forward_hook((_, _, o) => { outputBefore = o; return null!; });
        if (!r.TryCreateHook("creates the hook", () => createHook(conv), RegistrationHint, out var hook)) return false;
        var watchAfter = conv.register_forward_hook((_, _, o) => { outputAfter = o; return null!; });
        using var disposeHook = new DisposeOnce(hook);
        var x = input.clone().requires_grad_(true); // so that the output carries an autograd graph a copy must leave behind
        bool ran = r.TryLearner("the model runs with your hook", () => net.call(x), out var output, RegistrationHint);
        watchBefore.remove();
        watchAfter.remove();
        if (!ran) return false;
        if (!TensorComparison.Close(output.detach(), expected.relu()))
            r.Fail("leaves the model's output unchanged", FindingCodes.OutputChanged, "the model computed something else with your hook on",
                "Whatever a forward hook returns replaces the layer's output; a hook that only watches returns null.");
        else if (outputBefore is not null && outputAfter is not null && !ReferenceEquals(outputBefore, outputAfter))
        {
            r.Fail("leaves the layer's output as it is", FindingCodes.OutputReplaced,
                "your hook returned a tensor, so it replaced the layer's output: the next layers computed with your tensor (and the in-place ReLU changed it)",
                "Whatever a forward hook returns replaces the layer's output; a hook that only watches returns null. In C#, an expression lambda " +
                "(m, i, o) => Stored = ... returns the value it assigns.");
            return false;
        }
        if (!r.TryStored(hook, "stores the output", out var stored)) return false;
        if (Missing(r, "stores the output", stored, outputBefore)) return false;
        TensorComparison.Compare(r, "stores the layer's output (hand-built conv, then an in-place ReLU)", stored, expected,
            new("The stored values should be exactly what the layer returned."),
            [
                new(FindingCodes.NotCloned, "your tensor shows the ReLU's zeros: it shares memory with the output, and the in-place ReLU that ran after the hook changed it",
                    "detach() gives a view of the same memory; a copy that later operations cannot touch needs its own memory.", () => expected.relu()),
                new(FindingCodes.CapturedInput, "you stored the layer's input", OutputHint, () => input),
            ]);
        if (!stored!.requires_grad) r.Pass("the stored copy is detached from the autograd graph");
        else r.Fail("the stored copy is detached from the autograd graph", FindingCodes.NotDetached, "Stored.requires_grad is true",
            "A kept activation must not hold on to the graph that produced it (memory, and gradients you never asked for): detach it.");
        if (!r.TryLearner("Dispose runs", hook.Dispose, "Dispose should remove the hook with the remover that register_forward_hook returned.")) return false;
        disposeHook.Disposed = true;
        if (HookRegistry.IsSupported(net))
            r.ExpectNoLeftoverHooks(net, before, "Dispose removes the hook", "register_forward_hook returns a HookRemover: keep it, and call its remove() in Dispose.");
        return true;
    }

    /// <summary>Whether nothing usable was stored (recorded): null, or freed by the model (kept without a copy) or by the learner's code.</summary>
    private static bool Missing(CheckRecorder r, string criterion, Tensor? stored, Tensor? modelOutput)
    {
        if (stored is null) r.Fail(criterion, FindingCodes.NothingStored, "Stored is still null after the model ran", RegistrationHint);
        else if (stored.IsInvalid && ReferenceEquals(stored, modelOutput))
            r.Fail(criterion, FindingCodes.NotCloned, "you stored the layer's output itself, and the model freed it after your hook returned",
                "The model releases its intermediate outputs once the next layer has used them: keep a copy of your own.");
        else if (stored.IsInvalid)
            r.Fail(criterion, FindingCodes.FreedByYourCode,
                "the tensor you stored was already freed when the check read it; it is a tensor your code made (not the model's), so your code freed it", FreedByYourCodeHint);
        return stored is null || stored.IsInvalid;
    }

    /// <summary>layer4 of the ResNet, two photos in turn: the latest pass's output, not the input nor a module inside; Dispose.</summary>
    private static void RealLayer(CheckRecorder r, Func<Module<Tensor, Tensor>, ExerciseHook> createHook)
    {
        var classifier = ExerciseData.Classifier;
        using var guard = ModelSnapshot.Guard(r, classifier, " (the real network)");
        var body = classifier.Body;
        var layer4 = body.Layer4;
        using var reference = new Hook(layer4, "layer4");
        using var layer4Input = new Hook(body.Layer3, "layer3"); // layer4's input is layer3's output
        using var inside = HookGroup.ByNames(layer4, [.. layer4.named_modules().Where(m => m.module is Module<Tensor, Tensor>).Select(m => m.name)]);
        var beforeReal = HookRegistry.Snapshot(body); // with the check's own hooks, removed when it ends
        if (!r.TryCreateHook("creates the hook on layer4", () => createHook(layer4), RegistrationHint, out var realHook)) return;
        using var disposeReal = new DisposeOnce(realHook);
        Tensor firstReference = null!;
        Tensor? realStored = null;
        foreach (var photo in new[] { ExerciseData.CatPhoto, ExerciseData.DogPhoto })
        {
            using var batch = ExerciseData.Batch(photo);
            var pass = () => { using (no_grad()) body.call(batch).Dispose(); };
            if (!r.TryLearner($"the ResNet runs with your hook ({photo})", pass, RegistrationHint)) return;
            if (!r.TryStored(realHook, "stores layer4's output", out realStored)) return;
            firstReference ??= realStored is not null && !realStored.IsInvalid ? reference.Stored.detach().clone() : null!;
        }
        if (realStored is null)
            r.Fail("stores layer4's output on real photos", FindingCodes.NothingStored, "Stored is null", RegistrationHint);
        else
            TensorComparison.Compare(r, "stores layer4's output on real photos (the latest pass)", realStored, reference.Stored,
                new("Store exactly the tensor the layer outputs, as it was at the time of the pass."),
                [
                    new(FindingCodes.CapturedInput, "you stored layer4's input [1, 256, 14, 14]", OutputHint,
                        () => layer4Input.Stored),
                    new(FindingCodes.Stale, "this is the first photo's output: the second pass did not replace it " +
                        "(the hook kept only its first tensor, or stopped firing)",
                        "A hook keeps the latest pass's tensor: it stays registered until Dispose and replaces the stored copy " +
                        "every time it fires.", () => firstReference),
                    .. inside.Where(h => h.HasStored).Select(h => new KnownMistake(FindingCodes.WrongLayer,
                        $"you stored the output of layer4.{h.LayerName}, a module inside layer4, not layer4's own output",
                        "Hook the layer you are given, not a module inside it: " +
                        "the layer's output is what comes out of all of it.", () => h.Stored)),
                ]);
        if (!r.TryLearner("Dispose runs", realHook.Dispose, "Dispose should remove the hook.")) return;
        disposeReal.Disposed = true;
        if (HookRegistry.IsSupported(body))
            r.ExpectNoLeftoverHooks(body, beforeReal, "Dispose removes the hook from layer4", "Keep the HookRemover and call remove() in Dispose.");
    }
}

/// <summary>Disposes a learner hook at the end of a check unless the check already did (and swallows what that throws).</summary>
internal sealed class DisposeOnce(ExerciseHook hook) : IDisposable
{
    public bool Disposed { get; set; }

    public void Dispose()
    {
        if (Disposed) return;
        Disposed = true;
        try { hook.Dispose(); } catch (Exception) { /* already reported, or not the point of this check */ }
    }
}
