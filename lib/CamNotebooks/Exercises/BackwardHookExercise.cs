using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>Exercise 3, a backward hook, against <see cref="Hooks.BackwardHook"/>; its cases and criteria are the plan.</summary>
internal static class BackwardHookExercise
{
    private const string Title = "Exercise 3: a backward hook";

    private static readonly string[] Plan =
    [
        "a hand-built network and the real ResNet's layer3, two classes in turn",
        "the model's output and the gradient reaching the input are unchanged with your hook on",
        "the stored tensor is the gradient of the layer's output (not the activations, not the input's gradient), the latest one, detached",
        "Dispose removes the hook",
    ];

    private const string TapHint =
        "TorchSharp has no backward hooks. Make the layer's output pass through your own autograd function (the identity on the way " +
        "forward) by returning it from a forward hook; autograd then hands that function's backward the gradient of the output.";

    private const string OutputGradientHint = "Capture the gradient of this layer's output: tap the output, in a forward hook.";

    private sealed record Reference(Tensor Logits, Tensor Gradient, Tensor Activations, Tensor InputGradient, Tensor? PreviousGradient);

    public static CheckResult Run(Func<Module<Tensor, Tensor>, ExerciseHook> createHook) => CheckRecorder.Run(Title, Plan, createHook, r =>
    {
        GuardedFunctionErrors.TakeAll();
        var net = TinyNets.ThreeClassGapNet();
        var classifier = ExerciseData.Classifier;
        using var guard = ModelSnapshot.Guard(r, classifier, " (the real network)");
        var cases = new (string Name, Module<Tensor, Tensor> Model, Module<Tensor, Tensor> Layer, Module<Tensor, Tensor>? Previous, Func<Tensor> Input, int[] Classes)[]
        {
            ("hand-built network, layer 'features'", net, ModuleLookup.FindTensorModule(net, "features"), null, TinyNets.ThreeClassGapInput, [2, 0]),
            ("ResNet layer3, cat photo", ExerciseData.Model, classifier.Body.Layer3, classifier.Body.Layer2, () => ExerciseData.Batch(ExerciseData.CatPhoto), [1, 0]),
        };
        foreach (var (name, network, layer, previous, makeInput, classes) in cases)
        {
            // The reference: the library's BackwardHook (and Hook) in separate passes, one per class.
            var references = classes.Select(c => Gradients(network, layer, previous, makeInput, c)).ToList();
            var before = HookRegistry.Snapshot(network);
            if (!r.TryCreateHook($"creates the hook ({name})", () => createHook(layer), TapHint, out var hook)) return;
            using var disposeHook = new DisposeOnce(hook);
            Tensor? firstGradient = null;
            for (int i = 0; i < classes.Length; i++)
                if (!Pass(r, name, network, hook, makeInput, classes[i], references[i], firstGradient, out firstGradient)) return;
            r.Pass($"the stored gradient is detached ({name})");
            if (!r.TryLearner($"Dispose runs ({name})", hook.Dispose, "Dispose should remove the forward hook that applies your function.")) return;
            disposeHook.Disposed = true;
            r.ExpectNoLeftoverHooks(network, before, $"Dispose removes the hook ({name})", "register_forward_hook returns a HookRemover: keep it, and call its remove() in Dispose.");
            if (r.Failed) return;
        }
    });

    /// <summary>One forward and backward pass for one class with the learner's hook on; false at the first failure (recorded).</summary>
    private static bool Pass(CheckRecorder r, string name, Module<Tensor, Tensor> network, ExerciseHook hook, Func<Tensor> makeInput, int c,
        Reference reference, Tensor? firstGradient, out Tensor? latest)
    {
        latest = null;
        var x = makeInput().requires_grad_(true); // something before the layer must require grad for gradients to flow
        if (!r.TryLearner($"the model runs with your hook ({name})", () => network.call(x), out var logits, TapHint)) return false;
        if (!TensorComparison.Close(logits.detach(), reference.Logits))
        {
            r.Fail($"leaves the model's output unchanged ({name})", FindingCodes.OutputChanged, "the model computed other scores with your hook on",
                "On the way forward your function must be the identity: same values, same shape.");
            return false;
        }
        long backwardCalls = GuardedFunctionErrors.BackwardCalls;
        if (!r.TryLearner($"backward() runs ({name})", () => logits[0, c].backward(), TapHint)) return false;
        bool backwardRan = GuardedFunctionErrors.BackwardCalls != backwardCalls;
        var errors = GuardedFunctionErrors.TakeAll();
        var failure = (errors.Count > 0, x.grad is null && !backwardRan, x.grad is null || !TensorComparison.Close(x.grad, reference.InputGradient)) switch
        {
            (true, _, _) => ($"your Backward runs ({name})", FindingCodes.Exception, $"{errors[0].GetType().Name}: {errors[0].Message}",
                "Backward receives the gradient of your function's output and returns one gradient per argument given to apply."),
            (_, true, _) => ($"passes the gradient on ({name})", FindingCodes.TapDetached,
                "no gradient reached the input any more, and your function's Backward never ran: what your hook returned is not part of the autograd graph",
                "Autograd only calls a function's backward if the tensor it was applied to is part of the graph; detach() (or no_grad()) " +
                "gives a tensor autograd no longer follows, so the gradient stops there."),
            (_, _, true) => ($"passes the gradient on unchanged ({name})", FindingCodes.GradientAltered,
                x.grad is null ? "no gradient reached the input any more" : "the gradient reaching the input changed",
                "Your function is the identity, so its backward returns the gradient it received, untouched, to the earlier layers."),
            _ => ((string, string, string, string)?)null,
        };
        if (failure is var (criterion, code, detail, hint))
        {
            r.Fail(criterion, code, detail, hint);
            return false;
        }
        if (!r.TryStored(hook, $"captures the gradient ({name})", out var stored)) return false;
        if (stored is null || stored.IsInvalid)
        {
            // Autograd does not free the gradient it hands to Backward (a hook may keep it as given), so your code did.
            if (stored is null) r.Fail($"captures the gradient ({name})", FindingCodes.NoGradient, "Stored is still null after backward()", TapHint);
            else r.Fail($"captures the gradient ({name})", FindingCodes.FreedByYourCode,
                "the stored gradient was already freed when the check read it: your code freed it (autograd does not)",
                "A dispose scope, or a using, frees every tensor made inside it when it ends: what your Backward keeps must outlive it.");
            return false;
        }
        var mistakes = new List<KnownMistake>
        {
            new(FindingCodes.CapturedActivations, "you stored the layer's activations, not their gradient",
                "The forward hook sees activations; the gradient only exists during backward(), inside your function's backward.", () => reference.Activations),
        };
        if (firstGradient is { } first)
            mistakes.Add(new(FindingCodes.Stale, "this is the previous backward pass's gradient", "Replace the stored gradient every time backward runs through the layer.", () => first));
        mistakes.Add(reference.PreviousGradient is { } previous
            ? new(FindingCodes.WrongLayer, "this is the gradient of the layer's input (the previous layer's output)", OutputGradientHint, () => previous)
            : new(FindingCodes.WrongLayer, "this is the gradient of the network's input", OutputGradientHint, () => reference.InputGradient));
        var hints = new Hints("Store the gradient your backward receives, as it is.",
            Factors: TensorComparison.PositionFactors(reference.Gradient, "you divided the gradient by the number of positions",
                "Store the gradient as backward hands it to you; averaging it over the positions is Grad-CAM's step, " +
                "done later."));
        if (!TensorComparison.Compare(r, $"captures the gradient of the layer's output for class {c} ({name})", stored, reference.Gradient, hints, mistakes)) return false;
        if (stored.requires_grad)
        {
            r.Fail($"the stored gradient is detached ({name})", FindingCodes.NotDetached, "Stored.requires_grad is true",
                "Keep a detached copy: a stored gradient must not join a new autograd graph.");
            return false;
        }
        latest = stored.detach().clone();
        return true;
    }

    private static Reference Gradients(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, Module<Tensor, Tensor>? previous, Func<Tensor> makeInput, int c)
    {
        using var gradient = new BackwardHook(layer);
        using var activations = new Hook(layer);
        using var previousGradient = previous is null ? null : new BackwardHook(previous);
        var x = makeInput().requires_grad_(true);
        var logits = model.call(x);
        logits[0, c].backward();
        static Tensor Copy(Tensor t) => t.detach().clone();
        return new(Copy(logits), Copy(gradient.Stored), Copy(activations.Stored), Copy(x.grad!), previousGradient is null ? null : Copy(previousGradient.Stored));
    }
}
