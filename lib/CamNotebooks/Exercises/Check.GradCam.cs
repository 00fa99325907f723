using CamNotebooks.Heatmaps;
using CamNotebooks.Hooks;
using CamNotebooks.Maps;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Exercises;

public static partial class Check
{
    /// <summary>
    /// Exercise 4: checks a Grad-CAM function (model, layer, one-image batch, class → map [h, w]) against
    /// <see cref="GradCam"/> on a hand-built 3-class network and on the real classifier at layer4 (cat and dog) and layer3.
    /// Also checks that the map is detached and that the function leaves no hooks and no changed mode behind.
    /// </summary>
    public static CheckResult GradCam(GradCamFunction gradCam) => Run("Exercise 4: Grad-CAM for any layer", r =>
    {
        ArgumentNullException.ThrowIfNull(gradCam);
        const string ValuesHint =
            "Grad-CAM: one weight per channel (the gradient of the class score averaged over the positions), a weighted sum of the " +
            "activation channels, then only the positive part.";
        var net = TinyNets.GapNet();
        var model = ExerciseData.Model;
        var cases = new (string Name, Module<Tensor, Tensor> Model, string Layer, string? OtherLayer, Func<Tensor> Input, int Class)[]
        {
            ("hand-built network, layer 'features', class 2", net, "features", null, TinyNets.GapInput, 2),
            ("cat photo, layer4, class cat", model, "body.layer4", "body.layer3", () => ExerciseData.Batch(ExerciseData.CatPhoto), 1),
            ("cat photo, layer4, class dog", model, "body.layer4", "body.layer3", () => ExerciseData.Batch(ExerciseData.CatPhoto), 0),
            ("cat photo, layer3, class cat", model, "body.layer3", "body.layer4", () => ExerciseData.Batch(ExerciseData.CatPhoto), 1),
        };
        foreach (var (name, network, layerName, otherLayer, makeInput, c) in cases)
        {
            var layer = Layer(network, layerName);
            var input = makeInput();
            using var reference = Maps.GradCam.Compute(network, layerName, input, [c]);
            var expected = reference.Maps[0].clone();
            int classes = (int)network.call(input).shape[1];

            var before = HookRegistry.Snapshot(network);
            bool wasTraining = network.training;
            var gradFlags = network.parameters().Select(p => p.requires_grad).ToList();
            var inputBefore = input.clone();
            if (!r.TryLearner(name, () => gradCam(network, layer, input, c), out var map, ValuesHint)) { HookRegistry.RemoveAddedSince(network, before); return; }
            bool detached = map is null || map.IsInvalid || !map.requires_grad;

            ProbeOutput Probe(int cls) => LayerProbe.Run(network, layer, layerName, input, [cls], withGradients: true);
            var mistakes = new List<KnownMistake>
            {
                new(FindingCodes.MissingRelu, "your map keeps negative values where Grad-CAM has 0",
                    "Grad-CAM keeps only the evidence for the class: the positive part of the weighted sum.",
                    () => { var p = Probe(c); return (p.Gradients!.mean([2, 3], keepdim: true) * p.Activations).sum(1)[0]; }),
                new(FindingCodes.GradientsNotAveraged, "you weighted every position by its own gradient",
                    "Grad-CAM gives each channel a single weight: its gradient averaged over all positions.",
                    () => { var p = Probe(c); return (p.Gradients! * p.Activations).sum(1).relu()[0]; }),
                new(FindingCodes.WrongDims, "you averaged the gradients over the channels instead of over the positions",
                    "Which dimensions are the positions (h, w) of a [N, K, h, w] tensor?",
                    () => { var p = Probe(c); return (p.Gradients!.mean([1], keepdim: true) * p.Activations).sum(1).relu()[0]; }),
                new(FindingCodes.UsedProbability, "your map is the Grad-CAM of the softmax probability, not of the class score",
                    "Differentiate the raw score (logit) of the class: the softmax couples it with the other classes and flattens the gradient when the model is sure.",
                    () => ProbabilityGradCam(Probe, classes, c)),
                new(FindingCodes.WrongShape, "you stretched the map to the image's size",
                    "Grad-CAM's map has the layer's resolution; stretching to the image is a display step, done later.",
                    () => HeatmapMath.Upsample(expected, input.shape[2], input.shape[3])),
                new(FindingCodes.WrongShape, "you kept the batch dimension: [1, h, w]", "Return the one image's map, [h, w].", () => expected.unsqueeze(0)),
            };
            for (int other = 0; other < classes; other++)
            {
                if (other == c) continue;
                int o = other;
                mistakes.Insert(0, new(FindingCodes.WrongClass, $"this is the map of class {o}, not of class {c}",
                    "Back-propagate the score of the class you were asked about (classIndex), not the predicted one.",
                    () => { using var m = Maps.GradCam.Compute(network, layerName, input, [o]); return m.Maps[0].clone(); }));
            }
            if (otherLayer is not null)
                mistakes.Insert(0, new(FindingCodes.WrongLayer, $"this is the map of {otherLayer}, not of {layerName}",
                    "Hook the layer you are given (the layer argument), not a fixed one.",
                    () => { using var m = Maps.GradCam.Compute(network, otherLayer, input, [c]); return m.Maps[0].clone(); }));

            if (!TensorComparison.Compare(r, $"map for the {name}", map, expected, new(ValuesHint), mistakes)) { HookRegistry.RemoveAddedSince(network, before); return; }
            if (!detached)
            {
                r.Fail($"the map is detached ({name})", FindingCodes.NotDetached, "the map you returned requires grad",
                    "Compute the map from detached activations and gradients (or under no_grad): a map is a picture, not part of a graph.");
                return;
            }
            if (!TensorComparison.Close(input, inputBefore))
            {
                r.Fail($"the image is untouched ({name})", FindingCodes.ModifiedInput, "your function changed the image tensor",
                    "Operations ending in _ change a tensor in place; work on a copy (or let autograd track a new tensor).");
                return;
            }
            ExpectNoLeftoverHooks(r, network, before, $"no hooks left on the model ({name})",
                "Put each hook in a using declaration (or dispose it) so it is removed when your function returns, even after an exception.");
            if (r.Failed) return;
            var gradFlagsAfter = network.parameters().Select(p => p.requires_grad).ToList();
            if (network.training != wasTraining || !gradFlags.SequenceEqual(gradFlagsAfter))
            {
                network.train(wasTraining);
                foreach (var (p, flag) in network.parameters().Zip(gradFlags)) p.requires_grad = flag;
                r.Fail($"the model is left as it was ({name})", FindingCodes.ModelChanged,
                    "your function changed the model's mode or which parameters require grad (the check restored them)",
                    "Whatever you switch for the map (eval mode, requires_grad), switch back before returning: the model belongs to the caller.");
                return;
            }
        }
        r.Pass("leaves the model as it was (mode, parameters, hooks)");
    });

    /// <summary>The Grad-CAM of softmax(scores)[c]: its gradient is Σ_j p_c (δ_cj − p_j) ∂score_j/∂A, a mix of every class's gradient.</summary>
    private static Tensor ProbabilityGradCam(Func<int, ProbeOutput> probe, int classes, int c)
    {
        var first = probe(c);
        var p = first.Logits.softmax(1)[0];
        Tensor gradient = zeros_like(first.Gradients!);
        for (int j = 0; j < classes; j++)
        {
            double coefficient = p[c].item<float>() * ((j == c ? 1 : 0) - p[j].item<float>());
            gradient = gradient + probe(j).Gradients! * coefficient;
        }
        return Maps.GradCam.Formula(first.Activations, gradient)[0];
    }
}
