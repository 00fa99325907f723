using CamNotebooks.Hooks;
using CamNotebooks.Learning;
using CamNotebooks.Model;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CamNotebooks.Evaluation;

/// <summary>How one method's map at one layer changed as the model was randomised from the top down.</summary>
/// <param name="Method">Method name.</param>
/// <param name="Layer">Target layer.</param>
/// <param name="MeanSpearman">Per cascade step (<see cref="SanityCheckReport.Steps"/>), the Spearman correlation between the
/// map of the randomised model and the original map, averaged over the photos.</param>
/// <param name="Passes">Whether the map changed as it should (see <see cref="SanityCheckReport.PassThreshold"/>).</param>
public sealed record SanityRow(string Method, string Layer, IReadOnlyList<double> MeanSpearman, bool Passes);

/// <summary>A map the sanity check compares: its name and layer (for the table) and how to compute it on a model.</summary>
/// <param name="Name">Method name.</param>
/// <param name="Layer">Target layer, or what the map is taken from (e.g. "input").</param>
/// <param name="Compute">One map per image of the inputs [N, C, H, W] for the given classes, on the given model.</param>
public sealed record MapSource(string Name, string Layer, Func<PetClassifier, Tensor, int[], float[][,]> Compute);

/// <summary>The sanity-check table.</summary>
/// <param name="Steps">Cascade steps, in order: each one re-initialises that module on top of all the previous ones.</param>
/// <param name="Rows">One row per (method, layer).</param>
/// <param name="Images">Number of photos.</param>
public sealed record SanityCheckReport(IReadOnlyList<string> Steps, IReadOnlyList<SanityRow> Rows, int Images)
{
    /// <summary>
    /// A method passes when its mean rank correlation with the original map stays below this value at every step of the
    /// cascade, starting with the head alone: once the weights it is meant to explain are gone, its map must be a different
    /// map. A map that still correlates above 0.5 with the trained model's map is showing the image (or the architecture),
    /// not what the model learned.
    /// </summary>
    public const double PassThreshold = 0.5;

    /// <summary>The table as aligned text, one column per cascade step, with the verdict.</summary>
    public string ToText()
    {
        var table = new TextTable(["method", "layer", .. Steps.Select(s => "+" + s), "verdict"]);
        foreach (var row in Rows)
            table.Add([row.Method, row.Layer, .. row.MeanSpearman.Select(v => TextTable.Number(v)), row.Passes ? "pass" : "FAIL"]);
        return $"Sanity check (cascading randomisation, Adebayo et al. 2018) on {Images} photos: mean Spearman rank correlation " +
               $"with the trained model's map after re-initialising each module in turn, top down (pass: below {PassThreshold} at every step):" +
               $"{Environment.NewLine}{table}";
    }
}

/// <summary>
/// The model-randomisation test of Adebayo et al. 2018 ("Sanity Checks for Saliency Maps"): re-initialise the head, then
/// the stages from the top down (cascading), and see whether each method's maps change. They must: a map that survives the
/// loss of the learned weights is not explaining the model.
/// </summary>
public static class SanityCheck
{
    /// <summary>The cascade: the head, then the stages from the last to the stem.</summary>
    public static IReadOnlyList<string> CascadeSteps { get; } = ["head", "body.layer4", "body.layer3", "body.layer2", "body.layer1", "body.stem"];

    /// <summary>Layers measured by default: the last stage and one inner stage.</summary>
    public static IReadOnlyList<string> DefaultLayers { get; } = [ClassifierMaps.LastStage, "body.layer3"];

    /// <summary>
    /// Runs the cascade on a private copy of <paramref name="model"/> (the model itself is not changed) and compares raw
    /// maps at the layer's resolution, for the true class, with the trained model's.
    /// </summary>
    /// <param name="model">The trained classifier.</param>
    /// <param name="set">The photos.</param>
    /// <param name="layers">Layers to measure (default <see cref="DefaultLayers"/>).</param>
    /// <param name="steps">How far down to go (default all of <see cref="CascadeSteps"/>).</param>
    /// <param name="seed">Seed of the random weights.</param>
    /// <param name="progress">Called with a line of text after each step.</param>
    public static SanityCheckReport Run(PetClassifier model, EvaluationSet set, IEnumerable<string>? layers = null,
        int steps = int.MaxValue, ulong seed = 0, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(set);
        var pairs = ClassifierMaps.Pairs(layers ?? DefaultLayers);
        var sources = pairs.Select(p => new MapSource(p.Method.Name, p.Layer,
            (m, inputs, labels) => p.Method.ComputeArrays(m, p.Layer, inputs, labels))).ToList();
        // The gradient methods of one layer share a probe (ClassifierMaps.ComputeEach): the same maps as each source's own.
        return Cascade(model, set, sources, m => ClassifierMaps.ComputeEach(pairs, m, set.Inputs, set.Labels, upsampled: false),
            steps, seed, progress, stageMaps: null);
    }

    /// <summary>
    /// The same cascade for any map sources (guided backpropagation, occlusion, a CAM method...): each source's maps of the
    /// randomised copy are compared with its maps of <paramref name="model"/>, rank against rank.
    /// </summary>
    /// <param name="model">The trained classifier.</param>
    /// <param name="set">The photos.</param>
    /// <param name="sources">What to compare; each computes one map per photo for given classes.</param>
    /// <param name="steps">How far down to go (default all of <see cref="CascadeSteps"/>).</param>
    /// <param name="seed">Seed of the random weights.</param>
    /// <param name="progress">Called with a line of text after each step.</param>
    /// <param name="stageMaps">Called after each step (and with step -1 before it, for the trained model) with every source's maps.</param>
    public static SanityCheckReport Run(PetClassifier model, EvaluationSet set, IReadOnlyList<MapSource> sources,
        int steps = int.MaxValue, ulong seed = 0, Action<string>? progress = null, Action<int, IReadOnlyList<float[][,]>>? stageMaps = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(sources);
        return Cascade(model, set, sources, m => sources.Select(s => s.Compute(m, set.Inputs, set.Labels)).ToList(), steps, seed,
            progress, stageMaps);
    }

    private static SanityCheckReport Cascade(PetClassifier model, EvaluationSet set, IReadOnlyList<MapSource> sources,
        Func<PetClassifier, IReadOnlyList<float[][,]>> computeAll, int steps, ulong seed, Action<string>? progress,
        Action<int, IReadOnlyList<float[][,]>>? stageMaps)
    {
        var cascade = CascadeSteps.Take(Math.Max(1, steps)).ToList();
        var original = computeAll(model);
        stageMaps?.Invoke(-1, original);
        var correlations = sources.Select(_ => new List<double>()).ToList();
        var copy = Copy(model);
        try
        {
            for (int step = 0; step < cascade.Count; step++)
            {
                WeightRandomization.Reinitialize(ModuleLookup.Find(copy, cascade[step]), seed + (ulong)step);
                var all = computeAll(copy);
                for (int p = 0; p < sources.Count; p++)
                    correlations[p].Add(all[p].Select((map, i) => RankCorrelation.Spearman(original[p][i], map)).Average());
                stageMaps?.Invoke(step, all);
                progress?.Invoke($"randomised {cascade[step]}");
            }
        }
        finally
        {
            copy.Pretrained.Preprocessing.Dispose();
            copy.Dispose();
        }
        var rows = sources.Select((source, p) => new SanityRow(source.Name, source.Layer, correlations[p],
            correlations[p].All(r => r < SanityCheckReport.PassThreshold))).ToList();
        return new SanityCheckReport(cascade, rows, set.Count);
    }

    /// <summary>An independent classifier with the same weights (its own body and head), safe to randomise.</summary>
    public static PetClassifier Copy(PetClassifier model)
    {
        ArgumentNullException.ThrowIfNull(model);
        // A fresh load (from the weight cache) gives the copy its own tensors; the copy below makes it exact whatever was loaded.
        var pretrained = PretrainedResNet.Load();
        var head = new LinearHead(model.Head.InFeatures, model.Head.Classes);
        var copy = new PetClassifier(pretrained, head);
        using var noGrad = no_grad();
        static IEnumerable<(string Name, Tensor Value)> State(Module module) =>
            module.named_parameters().Select(p => (p.name, (Tensor)p.parameter)).Concat(module.named_buffers());
        var sources = State(model).ToDictionary(p => p.Name, p => p.Value);
        foreach (var (name, target) in State(copy))
            target.copy_(sources[name]);
        return copy;
    }
}
