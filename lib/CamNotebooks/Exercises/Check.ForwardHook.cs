using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

public static partial class Check
{
    private const string ForwardHookTitle = "Exercise 1: a forward hook";

    private const string RegistrationHint =
        "A forward hook is registered on the layer with register_forward_hook((module, input, output) => ...); it fires each time " +
        "the layer runs through call(x), and should return null to leave the layer's output as it is.";

    /// <summary>
    /// Exercise 1: checks a hook class that keeps a detached copy of a layer's output (in <see cref="ExerciseHook.Stored"/>) and
    /// unregisters itself in Dispose. <paramref name="createHook"/> is called with the layer to watch, e.g.
    /// <c>Check.ForwardHook(layer =&gt; new MyHook(layer))</c>.
    /// </summary>
    /// <remarks>
    /// Runs a hand-built conv followed by an in-place ReLU (does the copy survive it? is it detached?), then the real
    /// ResNet's layer4 on two photos (the output, not the input; the latest pass, not the first), and after Dispose looks for
    /// hooks left on the model. Compared with <c>CamNotebooks.Hooks.Hook</c>.
    /// </remarks>
    public static CheckResult ForwardHook(Func<Module<Tensor, Tensor>, ExerciseHook> createHook) => Run(ForwardHookTitle, r =>
    {
        ArgumentNullException.ThrowIfNull(createHook);
        // 1. The hand-built case: conv (×2) then an in-place ReLU, input with negative values.
        var net = TinyNets.InPlaceNet();
        var conv = Layer(net, "conv");
        var input = TinyNets.InPlaceInput();
        var expected = input * 2; // the conv's output, before the ReLU overwrote it
        Tensor expectedModelOutput;
        using (no_grad()) expectedModelOutput = net.call(input.clone());
        var before = HookRegistry.Snapshot(net);
        // Hooks run in the order they were registered: one before the learner's and one after see whether theirs replaced the output.
        Tensor? outputBefore = null, outputAfter = null;
        var watchBefore = conv.register_forward_hook((_, _, o) => { outputBefore = o; return null!; });
        if (!r.TryLearner("creates the hook", () => createHook(conv), out var hook, RegistrationHint)) return;
        var watchAfter = conv.register_forward_hook((_, _, o) => { outputAfter = o; return null!; });
        if (hook is null)
        {
            r.Fail("creates the hook", FindingCodes.NoResult, "the factory returned null", "Return the hook object you created.");
            return;
        }
        using var disposeHook = new DisposeOnce(hook);
        var x = input.clone().requires_grad_(true); // so that the output carries an autograd graph a copy must leave behind
        bool ran = r.TryLearner("the model runs with your hook", () => net.call(x), out var output, RegistrationHint);
        watchBefore.remove();
        watchAfter.remove();
        if (!ran) return;
        if (!TensorComparison.Close(output.detach(), expectedModelOutput))
            r.Fail("leaves the model's output unchanged", FindingCodes.OutputChanged, "the model computed something else with your hook on",
                "Whatever a forward hook returns replaces the layer's output; a hook that only watches returns null.");
        else if (outputBefore is not null && outputAfter is not null && !ReferenceEquals(outputBefore, outputAfter))
        {
            r.Fail("leaves the layer's output as it is", FindingCodes.OutputReplaced,
                "your hook returned a tensor, so it replaced the layer's output: the next layers computed with your tensor (and the in-place ReLU changed it)",
                "Whatever a forward hook returns replaces the layer's output; a hook that only watches returns null. In C#, an expression lambda " +
                "(m, i, o) => Stored = ... returns the value it assigns.");
            return;
        }
        if (!TryStored(r, hook, "stores the output", out var stored)) return;
        if (stored is null)
        {
            r.Fail("stores the output", FindingCodes.NothingStored, "Stored is still null after the model ran", RegistrationHint);
            return;
        }
        if (stored.IsInvalid)
        {
            if (ReferenceEquals(stored, outputBefore))
                r.Fail("stores the output", FindingCodes.NotCloned, "you stored the layer's output itself, and the model freed it after your hook returned",
                    "The model releases its intermediate outputs once the next layer has used them: keep a copy of your own.");
            else r.Fail("stores the output", FindingCodes.FreedByYourCode, FreedByYourCodeDetail, FreedByYourCodeHint);
            return;
        }
        bool detached = !stored.requires_grad;
        TensorComparison.Compare(r, "stores the layer's output (hand-built conv, then an in-place ReLU)", stored, expected,
            new("The stored values should be exactly what the layer returned."),
            [
                new(FindingCodes.NotCloned, "your tensor shows the ReLU's zeros: it shares memory with the output, and the in-place ReLU that ran after the hook changed it",
                    "detach() gives a view of the same memory; a copy that later operations cannot touch needs its own memory.", () => expected.relu()),
                new(FindingCodes.CapturedInput, "you stored the layer's input", "The hook receives (module, input, output): keep the output.", () => input),
            ]);
        if (detached) r.Pass("the stored copy is detached from the autograd graph");
        else
            r.Fail("the stored copy is detached from the autograd graph", FindingCodes.NotDetached, "Stored.requires_grad is true",
                "A kept activation must not hold on to the graph that produced it (memory, and gradients you never asked for): detach it.");

        // 2. Dispose must unregister.
        if (!r.TryLearner("Dispose runs", hook.Dispose, "Dispose should remove the hook with the remover that register_forward_hook returned.")) return;
        disposeHook.Disposed = true;
        if (HookRegistry.IsSupported(net))
            ExpectNoLeftoverHooks(r, net, before, "Dispose removes the hook",
                "register_forward_hook returns a HookRemover: keep it, and call its remove() in Dispose.");
        if (r.Failed) return;

        // 3. The real network: layer4 of the ResNet, two photos in turn.
        var classifier = ExerciseData.Classifier;
        using var guard = new ModelGuard(r, classifier, " (the real network)");
        var body = classifier.Body;
        var layer4 = body.Layer4;
        var beforeReal = HookRegistry.Snapshot(body);
        using var layerInput = new InputCapture(layer4);
        using var reference = new Hook(layer4, "layer4");
        using var inside = HookGroup.ByNames(layer4, [.. layer4.named_modules().Where(m => m.module is Module<Tensor, Tensor>).Select(m => m.name)]);
        if (!r.TryLearner("creates the hook on layer4", () => createHook(layer4), out var realHook, RegistrationHint)) return;
        using var disposeReal = new DisposeOnce(realHook);
        Tensor? firstStored = null;
        Tensor firstReference = null!;
        foreach (var photo in new[] { ExerciseData.CatPhoto, ExerciseData.DogPhoto })
        {
            using var batch = ExerciseData.Batch(photo);
            if (!r.TryLearner($"the ResNet runs with your hook ({photo})", () => { using (no_grad()) body.call(batch).Dispose(); }, RegistrationHint)) return;
            if (!TryStored(r, realHook, "stores layer4's output", out var s)) return;
            if (firstStored is null && s is not null && !s.IsInvalid) { firstStored = Copy(s); firstReference = Copy(reference.Stored); }
        }
        if (!TryStored(r, realHook, "stores layer4's output", out var realStored)) return;
        var layer4Input = layerInput.Value!;
        if (realStored is null) r.Fail("stores layer4's output on real photos", FindingCodes.NothingStored, "Stored is null", RegistrationHint);
        else
            TensorComparison.Compare(r, "stores layer4's output on real photos (the latest pass)", realStored, reference.Stored,
                new("Store exactly the tensor the layer outputs, as it was at the time of the pass."),
                [
                    new(FindingCodes.CapturedInput, "you stored layer4's input [1, 256, 14, 14]", "The hook receives (module, input, output): keep the output.", () => layer4Input),
                    new(FindingCodes.Stale, "this is the first photo's output: the second pass did not replace it (the hook kept only its first tensor, or stopped firing)",
                        "A hook keeps the latest pass's tensor: it stays registered until Dispose and replaces the stored copy every time it fires.", () => firstReference),
                    .. inside.Where(h => h.HasStored).Select(h => new KnownMistake(FindingCodes.WrongLayer,
                        $"you stored the output of layer4.{h.LayerName}, a module inside layer4, not layer4's own output", InsideHint, () => h.Stored)),
                ]);
        if (!r.TryLearner("Dispose runs", realHook.Dispose, "Dispose should remove the hook.")) return;
        disposeReal.Disposed = true;
        layerInput.Dispose();
        reference.Dispose();
        inside.Dispose();
        if (HookRegistry.IsSupported(body))
            ExpectNoLeftoverHooks(r, body, beforeReal, "Dispose removes the hook from layer4", "Keep the HookRemover and call remove() in Dispose.");
    });

    private const string InsideHint = "Hook the layer you are given, not a module inside it: the layer's output is what comes out of all of it.";

    private const string FreedByYourCodeDetail =
        "the tensor you stored was already freed when the check read it; it is a tensor your code made (not the model's), so your code freed it";

    private const string FreedByYourCodeHint =
        "A dispose scope, or a using, frees every tensor made inside it when it ends: what a hook keeps must outlive the call that made it.";

    /// <summary>Disposes a learner hook at the end of a check unless the check already did (and swallows what that throws).</summary>
    private sealed class DisposeOnce(ExerciseHook hook) : IDisposable
    {
        public bool Disposed { get; set; }

        public void Dispose()
        {
            if (Disposed) return;
            Disposed = true;
            try { hook.Dispose(); } catch (Exception) { /* already reported, or not the point of this check */ }
        }
    }

    /// <summary>Keeps a copy of a layer's latest input.</summary>
    private sealed class InputCapture : IDisposable
    {
        private readonly Action _remove;

        public InputCapture(Module<Tensor, Tensor> layer) =>
            _remove = layer.register_forward_hook((_, input, _) => { Value = input.detach().clone(); return null!; }).remove;

        public Tensor? Value { get; private set; }

        public void Dispose() => _remove();
    }
}
