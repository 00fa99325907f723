using CamNotebooks.Heatmaps;
using CamNotebooks.Hooks;
using CamNotebooks.Maps;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

public static partial class Check
{
    private const string GradCamTitle = "Exercise 4: Grad-CAM for any layer";

    private const string GradCamValuesHint =
        "Grad-CAM: one weight per channel (the gradient of the class score averaged over the positions), a weighted sum of the " +
        "activation channels, then only the positive part.";

    private const string ReluTooEarlyHint =
        "A channel with a negative weight (or a negative term) argues against the class and must be able to cancel others; " +
        "Grad-CAM takes the positive part once, of the finished weighted sum.";

    private const string GradientsSummedHint =
        "Each channel's weight is the average gradient over the positions: a sum makes the map grow with the layer's resolution.";

    /// <summary>
    /// Exercise 4: checks a Grad-CAM function (model, layer, one-image batch, class → map [h, w]) against
    /// <see cref="GradCam"/> (which explains the model in eval mode) on a hand-built 3-class network, on a network with
    /// batch normalisation handed over in training mode, and on the real classifier at layer4 (cat photo: cat and dog; dog
    /// photo: cat) and layer3. Any correct way passes (hooks, autograd.grad, eval() first...). Before each call the model is
    /// snapshotted; any change (batch-norm statistics, weights, modes other than eval(), requires_grad, hooks) is its own
    /// failed criterion, and the model is restored.
    /// </summary>
    public static CheckResult GradCam(GradCamFunction gradCam) => Run(GradCamTitle, r =>
    {
        ArgumentNullException.ThrowIfNull(gradCam);
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
            if (!GradCamCase(r, gradCam, name, network, layerName, otherLayer, makeInput(), c)) return;
    });

    /// <summary>One Grad-CAM case: the map, detached, the image untouched, the model left as it was (and restored).</summary>
    private static bool GradCamCase(CheckRecorder r, GradCamFunction gradCam, string name, Module<Tensor, Tensor> network,
        string layerName, string? otherLayer, Tensor input, int c)
    {
        var layer = Layer(network, layerName);
        Tensor expected;
        using (var reference = Maps.GradCam.Compute(network, layerName, input, [c])) expected = reference.Maps[0].clone();
        int classes;
        using (no_grad()) using (ModelModeScope.Eval(network)) classes = (int)network.call(input).shape[1];
        var inputBefore = input.clone();
        bool inputRequiredGrad = input.requires_grad;
        using var snapshot = ModelSnapshot.Take(network);
        bool ok = r.TryLearner(name, () => gradCam(network, layer, input, c), out var map, GradCamValuesHint);
        bool imageFlagChanged = !input.IsInvalid && input.requires_grad != inputRequiredGrad;
        if (imageFlagChanged) input.requires_grad_(inputRequiredGrad); // undone, like the model's changes
        bool detached = map is null || map.IsInvalid || !map.requires_grad;
        if (ok)
        {
            // The variants run after the snapshot is restored, so they see the model as the learner was given it.
            var changes = snapshot.Changes(allowEval: true);
            bool switchedToEval = snapshot.OnlySwitchedToEval;
            snapshot.Restore();
            ok = TensorComparison.Compare(r, $"map for the {name}", map, expected,
                new(GradCamValuesHint)
                {
                    Map = true,
                    Inputs = "the network's activations",
                    Factors = PositionFactors(expected, "you summed the gradients over the positions instead of averaging them", GradientsSummedHint, summed: true),
                }, GradCamMistakes(network, layer, layerName, otherLayer, input, c, classes, expected));
            if (ok && !detached)
            {
                r.Fail($"the map is detached ({name})", FindingCodes.NotDetached, "the map you returned requires grad",
                    "Compute the map from detached activations and gradients (or under no_grad): a map is a picture, not part of a graph.");
                ok = false;
            }
            if (ok && !TensorComparison.Close(input, inputBefore))
            {
                r.Fail($"the image is untouched ({name})", FindingCodes.ModifiedInput, "your function changed the image tensor",
                    "Operations ending in _ change a tensor in place; work on a copy (or let autograd track a new tensor).");
                ok = false;
            }
            if (ok && imageFlagChanged)
            {
                r.Fail($"the image is untouched ({name})", FindingCodes.ModifiedInput,
                    "your function switched on requires_grad of the image it was given (the check switched it back)",
                    "The caller's image should come back as it was given: let autograd track a tensor of your own, not the caller's.");
                ok = false;
            }
            foreach (var change in changes) r.Fail($"{change.Criterion} ({name})", change.Code, change.Detail, change.Hint);
            if (changes.Count == 0 && ok) r.Pass($"leaves the model as it was ({name})",
                "batch-norm statistics, weights, modes, requires_grad, hooks" + (switchedToEval ? "; eval() is fine, the check gave the model its mode back" : ""));
            return ok && changes.Count == 0;
        }
        snapshot.ReportAndRestore(r, $" ({name})", allowEval: true, passWhenUnchanged: false);
        return false;
    }

    private static List<KnownMistake> GradCamMistakes(Module<Tensor, Tensor> network, Module<Tensor, Tensor> layer, string layerName,
        string? otherLayer, Tensor input, int c, int classes, Tensor expected)
    {
        LayerGradients Probe(int cls) => LayerGradients.Of(network, layer, input, [cls]);
        var mistakes = new List<KnownMistake>();
        if (otherLayer is not null)
            mistakes.Add(new(FindingCodes.WrongLayer, $"this is the map of {otherLayer}, not of {layerName}",
                "Hook the layer you are given (the layer argument), not a fixed one.",
                () => { using var m = Maps.GradCam.Compute(network, otherLayer, input, [c]); return m.Maps[0].clone(); }));
        for (int other = 0; other < classes; other++)
        {
            if (other == c) continue;
            int o = other;
            mistakes.Add(new(FindingCodes.WrongClass, $"this is the map of class {o}, not of class {c}",
                "Back-propagate the score of the class you were asked about (classIndex), not the predicted one.",
                () => { using var m = Maps.GradCam.Compute(network, layerName, input, [o]); return m.Maps[0].clone(); }));
        }
        // CAM's weights: the head's row for the class, where Grad-CAM has the averaged gradients (they differ by h·w at the last stage).
        if (network.modules().OfType<TorchSharp.Modules.Linear>().LastOrDefault()?.weight is { } head)
        {
            var w = head.detach()[c];
            Tensor Cam() => einsum("k,nkij->nij", w, Probe(c).Activations)[0];
            const string CamWeightsHint = "Grad-CAM's channel weights come from the gradients at the layer you are given; the head's weights " +
                "belong to CAM, and fit only the stage the head is pooled from.";
            mistakes.AddRange(
            [
                new(FindingCodes.CamWeights, "you weighted the channels with the head's weights (CAM's), not with the averaged gradients", CamWeightsHint,
                    () => Cam().relu()),
                new(FindingCodes.CamWeights, "your map is CAM: the head's weights, and no ReLU", CamWeightsHint, () => Cam()),
                new(FindingCodes.CamWeights, "you weighted the channels with the head's weights divided by h·w, not with the averaged gradients", CamWeightsHint,
                    () => Cam().relu() / (expected.shape[0] * expected.shape[1])),
            ]);
        }
        mistakes.AddRange(
        [
            new(FindingCodes.TrainingMode, "your map is the one the model gives in training mode: batch normalisation used this image's own statistics",
                "Explain the model as it predicts: in eval mode, batch normalisation uses its running statistics (and does not update them).",
                () => TrainingModeGradCam(network, layer, input, c)),
            new(FindingCodes.MissingRelu, "your map keeps negative values where Grad-CAM has 0",
                "Grad-CAM keeps only the evidence for the class: the positive part of the weighted sum.",
                () => { var p = Probe(c); return (p.Gradients.mean([2, 3], keepdim: true) * p.Activations).sum(1)[0]; }),
            new(FindingCodes.MissingRelu, "your map is the absolute value of the weighted sum: negative evidence became positive",
                "Grad-CAM keeps only the evidence for the class: where the weighted sum is negative, the map is 0.",
                () => { var p = Probe(c); return (p.Gradients.mean([2, 3], keepdim: true) * p.Activations).sum(1).abs()[0]; }),
            new(FindingCodes.ReluTooEarly, "you took the positive part of each channel's term before adding them up", ReluTooEarlyHint,
                () => { var p = Probe(c); return (p.Gradients.mean([2, 3], keepdim: true) * p.Activations).relu().sum(1)[0]; }),
            new(FindingCodes.ReluTooEarly, "you took the positive part of the channel weights, not of the map", ReluTooEarlyHint,
                () => { var p = Probe(c); return (p.Gradients.mean([2, 3], keepdim: true).relu() * p.Activations).sum(1)[0]; }),
            new(FindingCodes.ReluTooEarly, "you took the positive part of the channel weights", ReluTooEarlyHint,
                () => { var p = Probe(c); return (p.Gradients.mean([2, 3], keepdim: true).relu() * p.Activations).sum(1).relu()[0]; }),
            new(FindingCodes.AllScores, "your map is the Grad-CAM of all classes' scores added up (the whole output summed, or a .grad that collected one backward per class)",
                "Back-propagate the score of the one class you were asked about; and remember that backward() adds to .grad, it does not replace it.",
                () => MixedGradCam(Probe, classes, c, (p, j) => 1)),
            new(FindingCodes.CapturedInput, "your activations are the layer's input, not its output",
                "The forward hook receives (module, input, output): the activations to weigh are the layer's output, the tensor the gradients belong to.",
                () => InputActivationsGradCam(network, layer, input, Probe(c))),
            new(FindingCodes.GradientsNotAveraged, "you weighted every position by its own gradient",
                "Grad-CAM gives each channel a single weight: its gradient averaged over all positions.",
                () => { var p = Probe(c); return (p.Gradients * p.Activations).sum(1).relu()[0]; }),
            new(FindingCodes.MeanOverWrongAxes, "you averaged the gradients over dimensions 1 and 2 (channels and rows) of the [N, K, h, w] tensor",
                "The book's mean over [1, 2] is for one image's [K, h, w]; with the batch dimension in front, which dimensions are the positions?",
                () => { var p = Probe(c); return (p.Gradients.mean([1, 2], keepdim: true) * p.Activations).sum(1).relu()[0]; }),
            new(FindingCodes.WrongDims, "you averaged the gradients over the channels instead of over the positions",
                "Which dimensions are the positions (h, w) of a [N, K, h, w] tensor?",
                () => { var p = Probe(c); return (p.Gradients.mean([1], keepdim: true) * p.Activations).sum(1).relu()[0]; }),
            new(FindingCodes.UsedProbability, "your map is the Grad-CAM of the softmax probability, not of the class score",
                "Differentiate the raw score (logit) of the class: the softmax couples it with the other classes and flattens the gradient when the model is sure.",
                () => MixedGradCam(Probe, classes, c, (p, j) => p[c] * ((j == c ? 1 : 0) - p[j]))),
            new(FindingCodes.UsedProbability, "your map is the Grad-CAM of the log-probability (log_softmax), not of the class score",
                "Differentiate the raw score (logit) of the class: log_softmax subtracts the other classes' share.",
                () => MixedGradCam(Probe, classes, c, (p, j) => (j == c ? 1 : 0) - p[j])),
            new(FindingCodes.UsedLoss, "your map is the Grad-CAM of a cross-entropy loss, not of the class score",
                "A loss falls when the class score rises, and mixes in the other classes: back-propagate the class's own raw score.",
                () => MixedGradCam(Probe, classes, c, (p, j) => p[j] - (j == c ? 1 : 0))),
            new(FindingCodes.WrongShape, "you stretched the map to the image's size",
                "Grad-CAM's map has the layer's resolution; stretching to the image is a display step, done later.",
                () => HeatmapMath.Upsample(expected, input.shape[2], input.shape[3])),
            new(FindingCodes.WrongShape, "you kept the batch dimension: [1, h, w]", "Return the one image's map, [h, w].", () => expected.unsqueeze(0)),
            new(FindingCodes.Normalised, "your map is min-max scaled to 0..1 (before the ReLU)",
                "A map's raw values carry its meaning; scaling to 0..1 is a display step, done later, when it is coloured.",
                () => { var p = Probe(c); var m = (p.Gradients.mean([2, 3], keepdim: true) * p.Activations).sum(1)[0]; return (m - m.min()) / (m.max() - m.min()); }),
        ]);
        // Last, since each costs a backward pass: a module inside the layer hooked instead of the layer.
        foreach (var (inner, _) in layer.named_modules())
        {
            string innerName = $"{layerName}.{inner}";
            mistakes.Add(new(FindingCodes.WrongLayer, $"this is the map of {innerName}, a module inside {layerName}, not of {layerName} itself",
                "Hook the layer you are given, not a module inside it: the layer's output is what comes out of all of it.",
                () => { using var m = Maps.GradCam.Compute(network, innerName, input, [c]); return m.Maps[0].clone(); }));
        }
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
