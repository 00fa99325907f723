using CamNotebooks.Heatmaps;
using CamNotebooks.Hooks;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

/// <summary>Exercise 4, Grad-CAM for any layer, against <see cref="Maps.GradCam"/> in eval mode; the model is restored.</summary>
internal static class GradCamExercise
{
    private const string Title = "Exercise 4: Grad-CAM for any layer";

    private static readonly string[] Plan =
    [
        "a hand-built network; a network with batch normalisation handed over in training mode; the real classifier at layer4 (both classes, two photos) and layer3",
        "the map [h, w] at the layer's resolution equals Grad-CAM of the class's raw score, explained in eval mode (any correct way: hooks, autograd.grad, eval() first)",
        "the map is detached; the image is unchanged (values and requires_grad)",
        "the model is left as it was: batch-norm statistics, weights, modes (eval() is fine), requires_grad, no hooks left; autograd is left switched on (the check restores all of it either way)",
    ];

    private const string ValuesHint =
        "Grad-CAM: one weight per channel (the gradient of the class score averaged over the positions), a weighted sum of the " +
        "activation channels, then only the positive part.";

    internal const string ReluTooEarlyHint =
        "A channel with a negative weight (or a negative term) argues against the class and must be able to cancel others; " +
        "Grad-CAM takes the positive part once, of the finished weighted sum.";

    /// <summary>The factor h·w of gradients summed over the positions instead of averaged, named (exercises 4 and 6).</summary>
    internal static IReadOnlyList<NamedFactor> SummedFactors(Tensor positions) => TensorComparison.PositionFactors(positions,
        "you summed the gradients over the positions instead of averaging them",
        "Each channel's weight is the average gradient over the positions: a sum makes the map grow with the layer's resolution.",
        summed: true);

    internal const string MeanOverWrongAxesHint =
        "The book's mean over [1, 2] is for one image's [K, h, w]; with the batch dimension in front, which dimensions are the positions?";

    private const string LayerHint = "Hook the layer you are given, not a module inside it: the layer's output is what comes out of all of it.";

    private const string CamWeightsHint = "Grad-CAM's channel weights come from the gradients at the layer you are given; the head's weights " +
        "belong to CAM, and fit only the stage the head is pooled from.";

    private const string PositiveHint = "Grad-CAM keeps only the evidence for the class: the positive part of the weighted sum.";

    private const string ScoreHint = "Differentiate the raw score (logit) of the class: ";

    public static CheckResult Run(GradCamFunction gradCam) => CheckRecorder.Run(Title, Plan, gradCam, r =>
    {
        var model = ExerciseData.Model;
        var cases = new (string Name, Module<Tensor, Tensor> Model, string Layer, string? OtherLayer, Func<Tensor> Input, int Class)[]
        {
            ("hand-built network, layer 'features', class 2", TinyNets.ThreeClassGapNet(), "features", null, TinyNets.ThreeClassGapInput, 2),
            ("batch-norm network given in training mode, 3x5 map, class 0", TinyNets.BatchNormNet(), "features", "conv", TinyNets.BatchNormInput, 0),
            ("cat photo, layer4, class cat", model, "body.layer4", "body.layer3", () => ExerciseData.Batch(ExerciseData.CatPhoto), 1),
            ("cat photo, layer4, class dog", model, "body.layer4", "body.layer3", () => ExerciseData.Batch(ExerciseData.CatPhoto), 0),
            ("dog photo, layer4, class cat", model, "body.layer4", "body.layer3", () => ExerciseData.Batch(ExerciseData.DogPhoto), 1),
            ("cat photo, layer3, class cat", model, "body.layer3", "body.layer4", () => ExerciseData.Batch(ExerciseData.CatPhoto), 1),
        };
        foreach (var (name, network, layerName, otherLayer, makeInput, c) in cases)
            if (!Case(r, gradCam, name, network, layerName, otherLayer, makeInput(), c)) return;
    });

    /// <summary>One case: the map, detached, the image untouched, the model left as it was (and restored).</summary>
    private static bool Case(CheckRecorder r, GradCamFunction gradCam, string name, Module<Tensor, Tensor> network,
        string layerName, string? otherLayer, Tensor input, int c)
    {
        var layer = ModuleLookup.FindTensorModule(network, layerName);
        var expected = Reference(network, layerName, input, c);
        int classes;
        using (no_grad()) using (ModelModeScope.Eval(network)) classes = (int)network.call(input).shape[1];
        var inputBefore = input.clone();
        bool inputRequiredGrad = input.requires_grad;
        using var snapshot = ModelSnapshot.Take(network);
        bool ok = r.TryLearner(name, () => gradCam(network, layer, input, c), out var map, ValuesHint, e => HeadWeightsMismatch($"map for the {name}", network, layer, input, c, e));
        bool imageFlagChanged = !input.IsInvalid && input.requires_grad != inputRequiredGrad;
        if (imageFlagChanged) input.requires_grad_(inputRequiredGrad); // undone, like the model's changes
        if (!ok)
        {
            snapshot.ReportAndRestore(r, $" ({name})");
            return false;
        }
        bool detached = map is null || map.IsInvalid || !map.requires_grad;
        // The variants run after the snapshot is restored, so they see the model as the learner was given it.
        var changes = snapshot.Changes();
        bool switchedToEval = snapshot.OnlySwitchedToEval;
        snapshot.Restore();
        var hints = new Hints(ValuesHint, Map: true, Inputs: "the network's activations", Factors: SummedFactors(expected));
        ok = TensorComparison.Compare(r, $"map for the {name}", map, expected, hints, Mistakes(network, layer, layerName, otherLayer, input, c, classes, expected));
        var failures = new (Func<bool> Failed, string Criterion, string Code, string Detail, string Hint)[]
        {
            (() => !detached, "the map is detached", FindingCodes.NotDetached, "the map you returned requires grad",
                "Compute the map from detached activations and gradients (or under no_grad): a map is a picture, not part of a graph."),
            (() => !TensorComparison.Close(input, inputBefore), "the image is untouched", FindingCodes.ModifiedInput, "your function changed the image tensor",
                "Operations ending in _ change a tensor in place; work on a copy (or let autograd track a new tensor)."),
            (() => imageFlagChanged, "the image is untouched", FindingCodes.ModifiedInput, "your function switched on requires_grad of the image it was given (the check switched it back)",
                "The caller's image should come back as it was given: let autograd track a tensor of your own, not the caller's."),
        };
        if (ok && failures.FirstOrDefault(f => f.Failed()) is { Failed: not null } failure)
        {
            r.Fail($"{failure.Criterion} ({name})", failure.Code, failure.Detail, failure.Hint);
            ok = false;
        }
        foreach (var change in changes) r.Fail($"{change.Criterion} ({name})", change.Code, change.Detail, change.Hint);
        if (changes.Count == 0 && ok) r.Pass($"leaves the model as it was ({name})",
            "batch-norm statistics, weights, modes, requires_grad, hooks" + (switchedToEval ? "; eval() is fine, the check gave the model its mode back" : ""));
        return ok && changes.Count == 0;
    }

    /// <summary>An exception naming the head's size at a layer with another channel count: CAM's head weights used off their stage.</summary>
    internal static CheckFinding? HeadWeightsMismatch(string criterion, Module<Tensor, Tensor> network, Module<Tensor, Tensor> layer, Tensor input, int c, Exception e)
    {
        if (network.modules().OfType<TorchSharp.Modules.Linear>().LastOrDefault()?.weight is not { } head) return null;
        long features = head.shape[1], channels;
        try { channels = LayerGradients.Of(network, layer, input, [c]).Activations.shape[1]; } catch (Exception) { return null; }
        return features != channels && System.Text.RegularExpressions.Regex.IsMatch(e.Message, $@"\b{features}\b")
            ? new(criterion, false, FindingCodes.CamWeights,
                $"your code threw {e.GetType().Name} ({e.Message.Split('\n')[0].Trim()}): the head has {features} weights per class, one per channel " +
                $"of the stage it is pooled from, and this layer has {channels} channels, so you weighted the channels with the head's weights (CAM's)",
                CamWeightsHint)
            : null;
    }

    private static Tensor Reference(Module<Tensor, Tensor> network, string layerName, Tensor input, int c)
    {
        using var m = Maps.GradCam.Compute(network, layerName, input, [c]);
        return m.Maps[0].clone();
    }

    /// <summary>The known mistakes, cheapest first; those that run the model again (another layer, class or module) are last or lazy.</summary>
    private static List<KnownMistake> Mistakes(Module<Tensor, Tensor> network, Module<Tensor, Tensor> layer, string layerName,
        string? otherLayer, Tensor input, int c, int classes, Tensor expected)
    {
        LayerGradients Probe(int cls) => LayerGradients.Of(network, layer, input, [cls]);
        // The channel terms of the map, with the channel weights made from the gradients by weightOf.
        Tensor Terms(Func<Tensor, Tensor> weightOf) { var p = Probe(c); return weightOf(p.Gradients) * p.Activations; }
        static Tensor Mean(Tensor g) => g.mean([2, 3], keepdim: true);
        var mistakes = new List<KnownMistake>();
        if (otherLayer is not null)
            mistakes.Add(new(FindingCodes.WrongLayer, $"this is the map of {otherLayer}, not of {layerName}", "Hook the layer you are given (the layer argument), not a fixed one.",
                () => Reference(network, otherLayer, input, c)));
        mistakes.AddRange(Enumerable.Range(0, classes).Where(o => o != c).Select(o => new KnownMistake(FindingCodes.WrongClass, $"this is the map of class {o}, not of class {c}",
            "Back-propagate the score of the class you were asked about (classIndex), not the predicted one.", () => Reference(network, layerName, input, o))));
        // CAM's weights: the head's row for the class, where Grad-CAM has the averaged gradients (they differ by h·w at the last stage).
        if (network.modules().OfType<TorchSharp.Modules.Linear>().LastOrDefault()?.weight is { } head)
        {
            Tensor Cam() => einsum("k,nkij->nij", head.detach()[c], Probe(c).Activations)[0];
            mistakes.AddRange(
            [
                new(FindingCodes.CamWeights, "you weighted the channels with the head's weights (CAM's), not with the averaged gradients", CamWeightsHint, () => Cam().relu()),
                new(FindingCodes.CamWeights, "your map is CAM: the head's weights, and no ReLU", CamWeightsHint, Cam),
                new(FindingCodes.CamWeights, "you weighted the channels with the head's weights divided by h·w, not with the averaged gradients", CamWeightsHint,
                    () => Cam().relu() / (expected.shape[0] * expected.shape[1])),
            ]);
        }
        mistakes.AddRange(
        [
            new(FindingCodes.TrainingMode, "your map is the one the model gives in training mode: batch normalisation used this image's own statistics",
                "Explain the model as it predicts: in eval mode, batch normalisation uses its running statistics (and does not update them).",
                () => TrainingModeGradCam(network, layer, input, c)),
            new(FindingCodes.MissingRelu, "your map keeps negative values where Grad-CAM has 0", PositiveHint, () => Terms(Mean).sum(1)[0]),
            new(FindingCodes.MissingRelu, "your map is the absolute value of the weighted sum: negative evidence became positive",
                "Grad-CAM keeps only the evidence for the class: where the weighted sum is negative, the map is 0.", () => Terms(Mean).sum(1).abs()[0]),
            new(FindingCodes.ReluTooEarly, "you took the positive part of each channel's term before adding them up", ReluTooEarlyHint, () => Terms(Mean).relu().sum(1)[0]),
            new(FindingCodes.ReluTooEarly, "you took the positive part of the channel weights, not of the map", ReluTooEarlyHint, () => Terms(g => Mean(g).relu()).sum(1)[0]),
            new(FindingCodes.ReluTooEarly, "you took the positive part of the channel weights", ReluTooEarlyHint, () => Terms(g => Mean(g).relu()).sum(1).relu()[0]),
            new(FindingCodes.AllScores, "your map is the Grad-CAM of all classes' scores added up (the whole output summed, or a .grad that collected one backward per class)",
                "Back-propagate the score of the one class you were asked about; and remember that backward() adds to .grad, it does not replace it.",
                () => MixedGradCam(Probe, classes, c, (p, j) => 1)),
            new(FindingCodes.CapturedInput, "your activations are the layer's input, not its output",
                "The forward hook receives (module, input, output): the activations to weigh are the layer's output, the tensor the gradients belong to.",
                () => InputActivationsGradCam(network, layer, input, Probe(c))),
            new(FindingCodes.GradientsNotAveraged, "you weighted every position by its own gradient",
                "Grad-CAM gives each channel a single weight: its gradient averaged over all positions.", () => Terms(g => g).sum(1).relu()[0]),
            new(FindingCodes.MeanOverWrongAxes, "you averaged the gradients over dimensions 1 and 2 (channels and rows) of the [N, K, h, w] tensor",
                MeanOverWrongAxesHint, () => Terms(g => g.mean([1, 2], keepdim: true)).sum(1).relu()[0]),
            new(FindingCodes.WrongDims, "you averaged the gradients over the channels instead of over the positions",
                "Which dimensions are the positions (h, w) of a [N, K, h, w] tensor?", () => Terms(g => g.mean([1], keepdim: true)).sum(1).relu()[0]),
            new(FindingCodes.UsedProbability, "your map is the Grad-CAM of the softmax probability, not of the class score",
                ScoreHint + "the softmax couples it with the other classes and flattens the gradient when the model is sure.",
                () => MixedGradCam(Probe, classes, c, (p, j) => p[c] * ((j == c ? 1 : 0) - p[j]))),
            new(FindingCodes.UsedProbability, "your map is the Grad-CAM of the log-probability (log_softmax), not of the class score",
                ScoreHint + "log_softmax subtracts the other classes' share.", () => MixedGradCam(Probe, classes, c, (p, j) => (j == c ? 1 : 0) - p[j])),
            new(FindingCodes.UsedLoss, "your map is the Grad-CAM of a cross-entropy loss, not of the class score",
                "A loss falls when the class score rises, and mixes in the other classes: back-propagate the class's own raw score.",
                () => MixedGradCam(Probe, classes, c, (p, j) => p[j] - (j == c ? 1 : 0))),
            new(FindingCodes.WrongShape, "you stretched the map to the image's size",
                "Grad-CAM's map has the layer's resolution; stretching to the image is a display step, done later.",
                () => HeatmapMath.Upsample(expected, input.shape[2], input.shape[3])),
            new(FindingCodes.WrongShape, "you kept the batch dimension: [1, h, w]", "Return the one image's map, [h, w].", () => expected.unsqueeze(0)),
            new(FindingCodes.Normalised, "your map is min-max scaled to 0..1 (before the ReLU)",
                "A map's raw values carry its meaning; scaling to 0..1 is a display step, done later, when it is coloured.",
                () => { var m = Terms(Mean).sum(1)[0]; return (m - m.min()) / (m.max() - m.min()); }),
        ]);
        // Last, since each costs a backward pass: a module inside the layer hooked instead of the layer.
        mistakes.AddRange(layer.named_modules().Select(m => $"{layerName}.{m.name}").Select(inner => new KnownMistake(FindingCodes.WrongLayer,
            $"this is the map of {inner}, a module inside {layerName}, not of {layerName} itself", LayerHint, () => Reference(network, inner, input, c))));
        return mistakes;
    }

    /// <summary>Grad-CAM in training mode (what a forgotten eval() gives), with the model restored afterwards.</summary>
    private static Tensor TrainingModeGradCam(Module<Tensor, Tensor> network, Module<Tensor, Tensor> layer, Tensor input, int c)
    {
        using var snapshot = ModelSnapshot.Take(network);
        try
        {
            var p = LayerGradients.Of(network, layer, input, [c], train: true);
            return Maps.GradCam.Formula(p.Activations, p.Gradients)[0];
        }
        finally { snapshot.Restore(); }
    }

    /// <summary>Grad-CAM with the layer's input as activations (weights from the output's gradients): a hook that kept the wrong tensor.</summary>
    private static Tensor InputActivationsGradCam(Module<Tensor, Tensor> network, Module<Tensor, Tensor> layer, Tensor input, LayerGradients probe)
    {
        Tensor? layerInput = null;
        var remover = layer.register_forward_hook((_, i, _) => { layerInput = i.detach().clone(); return null!; });
        try
        {
            using (no_grad()) using (ModelModeScope.Eval(network)) network.call(input.detach());
        }
        finally { remover.remove(); }
        return (probe.Gradients.mean([2, 3], keepdim: true) * layerInput!).sum(1).relu()[0];
    }

    /// <summary>
    /// The Grad-CAM of a function of the softmax: its gradient is Σ_j coefficient(p, j) ∂score_j/∂A (the probability, the
    /// log-probability and the cross-entropy loss are all of this form).
    /// </summary>
    private static Tensor MixedGradCam(Func<int, LayerGradients> probe, int classes, int c, Func<float[], int, float> coefficient)
    {
        var first = probe(c);
        var p = first.Logits.softmax(1)[0].data<float>().ToArray();
        Tensor gradient = zeros_like(first.Gradients);
        for (int j = 0; j < classes; j++) gradient = gradient + probe(j).Gradients * coefficient(p, j);
        return Maps.GradCam.Formula(first.Activations, gradient)[0];
    }
}
