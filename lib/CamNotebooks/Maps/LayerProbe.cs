using CamNotebooks.Hooks;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Maps;

/// <summary>
/// What one probe of a model found: a layer's activations, optionally their gradients, and the model's output. With a head to
/// check, <c>PooledIntoHead</c> says whether the head's input was the activations averaged over positions (null: the head
/// did not run, or there was no head to check).
/// </summary>
internal sealed record ProbeOutput(Tensor Activations, Tensor? Gradients, Tensor Logits, int[] Classes, bool? PooledIntoHead = null);

/// <summary>
/// Runs a model once on a batch and captures what every CAM method needs from the chosen layer. All the checks and the
/// clean-up (hook removed, eval/train mode and requires_grad restored) live here, so each method is just its formula.
/// </summary>
internal static class LayerProbe
{
    /// <summary>
    /// One probe at a time in the whole process. A hook is registered on a shared module, so a forward pass on another
    /// thread (through the same model, or another model sharing the layer) would fire it too and mix two batches' tensors.
    /// libtorch already spreads one pass over every core, so running probes one after another costs little.
    /// </summary>
    private static readonly Lock OneProbeAtATime = new();

    /// <summary>Probes <paramref name="layer"/>; with <paramref name="pooledInto"/>, also records whether that head's input is the
    /// layer's output averaged over positions.</summary>
    public static ProbeOutput Run(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, string layerName, Tensor batch,
        int[]? classIndices, bool withGradients, Module<Tensor, Tensor>? pooledInto = null)
    {
        if (batch.dim() != 4)
            throw new ArgumentException(
                $"Expected a batch of images [N, C, H, W], got [{string.Join(", ", batch.shape)}]. For one image use image.unsqueeze(0).",
                nameof(batch));
        if (batch.shape[0] == 0)
            throw new ArgumentException(
                $"The batch is empty (shape [{string.Join(", ", batch.shape)}]): there is no image to map. Pass at least one image.",
                nameof(batch));
        ProbeInputChecks.RequireFinite(batch);
        if (withGradients) ProbeInputChecks.RequireGradientsPossible();
        lock (OneProbeAtATime)
        {
            return RunAlone(model, layer, layerName, batch, classIndices, withGradients, pooledInto);
        }
    }

    private static ProbeOutput RunAlone(Module<Tensor, Tensor> model, Module<Tensor, Tensor> layer, string layerName, Tensor batch,
        int[]? classIndices, bool withGradients, Module<Tensor, Tensor>? pooledInto)
    {
        Tensor? activations = null;
        int firings = 0;
        bool? pooledIntoHead = null;
        // The captured tensor must outlive any dispose scope the model's own forward opens (a hand-written forward may wrap
        // its work in one); it joins the caller's scope instead, once the forward pass is over.
        var callerScope = CurrentDisposeScope;
        // The hook keeps the layer's output. For gradients it makes that output a fresh leaf that requires grad, so that
        // score.backward(inputs: [leaf]) retraces only the layers after this one. It hands the model a clone, so that an
        // in-place operation further on (ReLU(inplace: true)) cannot touch the captured tensor.
        var remover = layer.register_forward_hook((_, _, output) =>
        {
            firings++;
            if (output.dim() != 4)
                throw new ArgumentException(
                    $"Layer '{layerName}' outputs shape [{string.Join(", ", output.shape)}], but a class activation map needs a " +
                    "4-D feature map [N, C, h, w]. Choose a convolutional layer or stage (for a ResNet: layer1..layer4).", "layer");
            activations = (withGradients ? output.detach().requires_grad_(true) : output.detach()).DetachFromDisposeScope();
            return activations.clone();
        });
        // Plain CAM weights the layer by the head, which is only right when the head reads this layer's average over positions.
        var headRemover = pooledInto?.register_forward_hook((_, input, _) =>
        {
            using var pooled = activations?.detach().mean([2, 3]);
            using var fed = input.detach();
            pooledIntoHead = pooled is not null && pooled.shape.SequenceEqual(fed.shape) && pooled.dtype == fed.dtype &&
                             pooled.allclose(fed, rtol: 1e-4, atol: 1e-5);
            return null!; // keep the head's output
        });
        Tensor logits;
        using (ModelModeScope.Eval(model))
        using (withGradients ? new FrozenParameters(model) : null)
        using (withGradients ? enable_grad() : no_grad())
        {
            try { logits = model.call(batch); }
            finally
            {
                remover.remove();
                headRemover?.remove();
                if (activations is not null) callerScope?.Attach(activations);
            }
        }
        if (firings != 1 || activations is null)
            throw new InvalidOperationException(firings == 0
                ? $"Layer '{layerName}' did not run when the model did. Its parent must invoke it with .call(x), not .forward(x)."
                : $"Layer '{layerName}' ran {firings} times in one forward pass; pick a layer that is used once.");
        if (logits.dim() != 2 || logits.shape[0] != batch.shape[0])
            throw new InvalidOperationException(
                $"The model's output has shape [{string.Join(", ", logits.shape)}]; CAM methods need class scores [N, classes] " +
                $"with N = {batch.shape[0]} images.");
        var classes = ResolveClasses(classIndices, logits);
        if (!withGradients) return new ProbeOutput(activations, null, logits.detach(), classes, pooledIntoHead);

        // Summing the chosen scores differentiates each image's own score: in eval mode images do not interact. The sum is
        // taken with gradients on, even when the caller is inside a no_grad() block.
        using var index = tensor(classes.Select(c => (long)c).ToArray(), device: logits.device).unsqueeze(1);
        using var gradScope = enable_grad();
        var score = logits.gather(1, index).sum();
        if (!score.requires_grad)
            throw NotOnThePath(layerName);
        // backward (not autograd.grad): TorchSharp turns libtorch's errors in backward into exceptions, while an error in
        // grad (an unused input, a tensor modified in place) aborts the whole process.
        // Chapter 03 (notebooks/03_grad_cam.dib) gets this same gradient with the hand-made BackwardHook, a forward hook plus a
        // custom autograd function. Here the hook makes the layer's output a leaf instead: backward(inputs: [leaf]) stops at
        // that layer (no gradient for earlier layers or any weight) and needs no autograd function in the model's graph.
        score.backward(inputs: [activations]);
        var gradients = activations.grad ?? throw NotOnThePath(layerName);
        return new ProbeOutput(activations.detach(), gradients.detach(), logits.detach(), classes, pooledIntoHead);
    }

    private static InvalidOperationException NotOnThePath(string layerName) => new(
        $"Layer '{layerName}' runs in the forward pass but does not feed the class scores (their gradient with respect to its " +
        "output does not exist), so it cannot explain them: choose a layer on the path to the output (for a ResNet: layer1..layer4).");

    /// <summary>null: each image's predicted class; one index: the same class for all; else one index per image.</summary>
    internal static int[] ResolveClasses(int[]? classIndices, Tensor logits)
    {
        int images = (int)logits.shape[0], classCount = (int)logits.shape[1];
        if (classIndices is null)
            return logits.argmax(1).to(ScalarType.Int32).data<int>().ToArray();
        if (classIndices.Length != 1 && classIndices.Length != images)
            throw new ArgumentException(
                $"{classIndices.Length} class indices for a batch of {images} image(s): give one per image, a single one for " +
                "all images, or none (null) for each image's predicted class.", nameof(classIndices));
        foreach (var c in classIndices)
            if (c < 0 || c >= classCount)
                throw new ArgumentOutOfRangeException(nameof(classIndices), c,
                    $"Class index {c} is out of range: the model outputs {classCount} classes (0..{classCount - 1}).");
        return classIndices.Length == images ? classIndices.ToArray() : Enumerable.Repeat(classIndices[0], images).ToArray();
    }

    /// <summary>Packs maps and scores into a result whose tensor survives this method's dispose scope.</summary>
    public static CamResult Result(string method, string layerName, Tensor maps, ProbeOutput probe)
    {
        using var index = tensor(probe.Classes.Select(c => (long)c).ToArray(), device: probe.Logits.device).unsqueeze(1);
        var scores = probe.Logits.gather(1, index).squeeze(1).to(ScalarType.Float32).cpu().data<float>().ToArray();
        var probabilities = probe.Logits.softmax(1).gather(1, index).squeeze(1).to(ScalarType.Float32).cpu().data<float>().ToArray();
        var predicted = probe.Logits.argmax(1).to(ScalarType.Int32).cpu().data<int>().ToArray();
        var owned = maps.detach().to(ScalarType.Float32).contiguous().MoveToOuterDisposeScope();
        return new CamResult(method, layerName, owned, probe.Classes, scores, probabilities, predicted);
    }
}
