using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

public static partial class Check
{
    private const string BackwardHookTitle = "Exercise 3: a backward hook";

    private const string TapHint =
        "TorchSharp has no backward hooks. Make the layer's output pass through your own autograd function (the identity on the way " +
        "forward) by returning it from a forward hook; autograd then hands that function's backward the gradient of the output.";

    /// <summary>
    /// Exercise 3: checks a hook class that captures the gradient of a layer's output during backward() (in
    /// <see cref="ExerciseHook.Stored"/>) and unregisters itself in Dispose; compared with <see cref="BackwardHook"/>.
    /// <c>Check.BackwardHook(layer =&gt; new MyGradientHook(layer))</c>.
    /// </summary>
    /// <remarks>
    /// Runs a hand-built 3-class network, then layer3 of the real ResNet on the cat photo, each for two classes in turn; checks
    /// the model's output and the gradient reaching the input are unchanged, that the captured gradient is the output's (not
    /// the activations, not the layer input's), the latest one, detached, and that Dispose unregisters.
    /// </remarks>
    public static CheckResult BackwardHook(Func<Module<Tensor, Tensor>, ExerciseHook> createHook) => Run(BackwardHookTitle, r =>
    {
        ArgumentNullException.ThrowIfNull(createHook);
        GuardedFunctionErrors.TakeAll();
        var net = TinyNets.ThreeClassGapNet();
        var classifier = ExerciseData.Classifier;
        var model = ExerciseData.Model;
        using var guard = new ModelGuard(r, classifier, " (the real network)");
        var cases = new (string Name, Module<Tensor, Tensor> Model, Module<Tensor, Tensor> Layer, Module<Tensor, Tensor>? Previous, Func<Tensor> Input, int[] Classes)[]
        {
            ("hand-built network, layer 'features'", net, Layer(net, "features"), null, TinyNets.ThreeClassGapInput, [2, 0]),
            ("ResNet layer3, cat photo", model, classifier.Body.Layer3, classifier.Body.Layer2, () => ExerciseData.Batch(ExerciseData.CatPhoto), [1, 0]),
        };
        foreach (var (name, network, layer, previous, makeInput, classes) in cases)
        {
            // The reference: the library's BackwardHook (and Hook) in separate passes, one per class.
            var references = classes.Select(c => ReferenceGradients(network, layer, previous, makeInput, c)).ToList();
            var before = HookRegistry.Snapshot(network);
            if (!r.TryLearner($"creates the hook ({name})", () => createHook(layer), out var hook, TapHint)) return;
            if (hook is null)
            {
                r.Fail($"creates the hook ({name})", FindingCodes.NoResult, "the factory returned null", "Return the hook object you created.");
                return;
            }
            using var disposeHook = new DisposeOnce(hook);
            Tensor? firstGradient = null;
            for (int i = 0; i < classes.Length; i++)
            {
                var reference = references[i];
                var x = makeInput().requires_grad_(true); // something before the layer must require grad for gradients to flow
                if (!r.TryLearner($"the model runs with your hook ({name})", () => network.call(x), out var logits, TapHint)) return;
                if (!TensorComparison.Close(logits.detach(), reference.Logits))
                {
                    r.Fail($"leaves the model's output unchanged ({name})", FindingCodes.OutputChanged, "the model computed other scores with your hook on",
                        "On the way forward your function must be the identity: same values, same shape.");
                    return;
                }
                long backwardCalls = GuardedFunctionErrors.BackwardCalls;
                if (!r.TryLearner($"backward() runs ({name})", () => logits[0, classes[i]].backward(), TapHint)) return;
                bool backwardRan = GuardedFunctionErrors.BackwardCalls != backwardCalls;
                var errors = GuardedFunctionErrors.TakeAll();
                if (errors.Count > 0)
                {
                    r.Fail($"your Backward runs ({name})", FindingCodes.Exception, $"{errors[0].GetType().Name}: {errors[0].Message}",
                        "Backward receives the gradient of your function's output and returns one gradient per argument given to apply.");
                    return;
                }
                if (x.grad is null && !backwardRan)
                {
                    r.Fail($"passes the gradient on ({name})", FindingCodes.TapDetached,
                        "no gradient reached the input any more, and your function's Backward never ran: what your hook returned is not part of the autograd graph",
                        "Autograd only calls a function's backward if the tensor it was applied to is part of the graph; detach() (or no_grad()) " +
                        "gives a tensor autograd no longer follows, so the gradient stops there.");
                    return;
                }
                if (x.grad is null || !TensorComparison.Close(x.grad, reference.InputGradient))
                {
                    r.Fail($"passes the gradient on unchanged ({name})", FindingCodes.GradientAltered,
                        x.grad is null ? "no gradient reached the input any more" : "the gradient reaching the input changed",
                        "Your function is the identity, so its backward returns the gradient it received, untouched, to the earlier layers.");
                    return;
                }
                if (!TryStored(r, hook, $"captures the gradient ({name})", out var stored)) return;
                if (stored is null)
                {
                    r.Fail($"captures the gradient ({name})", FindingCodes.NoGradient, "Stored is still null after backward()", TapHint);
                    return;
                }
                if (stored.IsInvalid)
                {
                    // Autograd does not free the gradient it hands to Backward (a hook may keep it as given), so your code did.
                    r.Fail($"captures the gradient ({name})", FindingCodes.FreedByYourCode,
                        "the stored gradient was already freed when the check read it: your code freed it (autograd does not)",
                        "A dispose scope, or a using, frees every tensor made inside it when it ends: what your Backward keeps must outlive it.");
                    return;
                }
                bool detached = !stored.requires_grad;
                var mistakes = new List<KnownMistake>
                {
                    new(FindingCodes.CapturedActivations, "you stored the layer's activations, not their gradient",
                        "The forward hook sees activations; the gradient only exists during backward(), inside your function's backward.", () => reference.Activations),
                };
                if (firstGradient is not null)
                {
                    var first = firstGradient;
                    mistakes.Add(new(FindingCodes.Stale, "this is the previous backward pass's gradient",
                        "Replace the stored gradient every time backward runs through the layer.", () => first));
                }
                if (reference.PreviousGradient is { } previousGradient)
                    mistakes.Add(new(FindingCodes.WrongLayer, "this is the gradient of the layer's input (the previous layer's output)",
                        "Capture the gradient of this layer's output: tap the output, in a forward hook.", () => previousGradient));
                else
                    mistakes.Add(new(FindingCodes.WrongLayer, "this is the gradient of the network's input",
                        "Capture the gradient of this layer's output: tap the output, in a forward hook.", () => reference.InputGradient));
                if (!TensorComparison.Compare(r, $"captures the gradient of the layer's output for class {classes[i]} ({name})", stored, reference.Gradient,
                        new("Store the gradient your backward receives, as it is.")
                        {
                            Factors = PositionFactors(reference.Gradient, "you divided the gradient by the number of positions",
                                "Store the gradient as backward hands it to you; averaging it over the positions is Grad-CAM's step, done later."),
                        }, mistakes)) return;
                if (!detached)
                {
                    r.Fail($"the stored gradient is detached ({name})", FindingCodes.NotDetached, "Stored.requires_grad is true",
                        "Keep a detached copy: a stored gradient must not join a new autograd graph.");
                    return;
                }
                firstGradient = Copy(stored);
            }
            r.Pass($"the stored gradient is detached ({name})");
            if (!r.TryLearner($"Dispose runs ({name})", hook.Dispose, "Dispose should remove the forward hook that applies your function.")) return;
            disposeHook.Disposed = true;
            ExpectNoLeftoverHooks(r, network, before, $"Dispose removes the hook ({name})",
                "register_forward_hook returns a HookRemover: keep it, and call its remove() in Dispose.");
            if (r.Failed) return;
        }
    });

    private sealed record GradientReference(Tensor Logits, Tensor Gradient, Tensor Activations, Tensor InputGradient, Tensor? PreviousGradient);

    private static GradientReference ReferenceGradients(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer,
        Module<Tensor, Tensor>? previous, Func<Tensor> makeInput, int classIndex)
    {
        using var gradient = new BackwardHook(layer);
        using var activations = new Hook(layer);
        using var previousGradient = previous is null ? null : new BackwardHook(previous);
        var x = makeInput().requires_grad_(true);
        var logits = model.call(x);
        logits[0, classIndex].backward();
        return new GradientReference(Copy(logits), Copy(gradient.Stored), Copy(activations.Stored), Copy(x.grad!),
            previousGradient is null ? null : Copy(previousGradient.Stored));
    }
}
