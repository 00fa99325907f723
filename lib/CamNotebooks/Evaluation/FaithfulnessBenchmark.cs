using CamNotebooks.Learning;
using static TorchSharp.torch;

namespace CamNotebooks.Evaluation;

/// <summary>Deletion and insertion results of one map source, averaged over the photos.</summary>
/// <param name="Method">Method or baseline name.</param>
/// <param name="Layer">Target layer, or "-" for the baseline.</param>
/// <param name="DeletionAuc">Mean area under the deletion curve (lower = more faithful).</param>
/// <param name="InsertionAuc">Mean area under the insertion curve (higher = more faithful).</param>
/// <param name="DeletionCurve">Mean probability of the true class after deleting 0, 1/steps, ..., all of the pixels.</param>
/// <param name="InsertionCurve">Mean probability of the true class after inserting 0, 1/steps, ..., all of the pixels.</param>
public sealed record FaithfulnessRow(string Method, string Layer, double DeletionAuc, double InsertionAuc,
    IReadOnlyList<double> DeletionCurve, IReadOnlyList<double> InsertionCurve);

/// <summary>The faithfulness table.</summary>
/// <param name="Rows">Methods, then the random baseline.</param>
/// <param name="Images">Number of photos.</param>
/// <param name="Steps">Steps per curve.</param>
public sealed record FaithfulnessReport(IReadOnlyList<FaithfulnessRow> Rows, int Images, int Steps)
{
    /// <summary>The table as aligned text.</summary>
    public string ToText()
    {
        var table = new TextTable("method", "layer", "deletion AUC (lower better)", "insertion AUC (higher better)", "insertion - deletion");
        foreach (var row in Rows)
            table.Add(row.Method, row.Layer, TextTable.Number(row.DeletionAuc), TextTable.Number(row.InsertionAuc),
                TextTable.Number(row.InsertionAuc - row.DeletionAuc));
        return $"Faithfulness on {Images} photos, true class, {Steps} steps of {100.0 / Steps:0.#}% of the pixels, " +
               $"blank = 0 in input space (the mean image):{Environment.NewLine}{table}";
    }
}

/// <summary>Deletion and insertion curves of each method on chosen layers, with a seeded random-map baseline.</summary>
public static class FaithfulnessBenchmark
{
    /// <summary>Layers measured by default: the last stage and one inner stage.</summary>
    public static IReadOnlyList<string> DefaultLayers { get; } = [ClassifierMaps.LastStage, "body.layer3"];

    /// <summary>Runs the curves for every (method, layer) pair on <paramref name="layers"/> and the random baseline.</summary>
    public static FaithfulnessReport Run(PetClassifier model, EvaluationSet set, IEnumerable<string>? layers = null,
        int steps = DeletionInsertion.DefaultSteps, int seed = 0, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(set);
        var rows = new List<FaithfulnessRow>();
        var pairs = ClassifierMaps.Pairs(layers ?? DefaultLayers);
        var maps = ClassifierMaps.ComputeEach(pairs, model, set.Inputs, set.Labels, upsampled: true);
        for (int p = 0; p < pairs.Count; p++)
        {
            rows.Add(Score(model, pairs[p].Method.Name, pairs[p].Layer, maps[p], set, steps));
            progress?.Invoke($"{pairs[p].Method.Name} on {pairs[p].Layer} done");
        }
        int height = (int)set.Inputs.shape[2], width = (int)set.Inputs.shape[3];
        var random = new Random(seed);
        var randomMaps = Enumerable.Range(0, set.Count).Select(_ => LocalizationBenchmark.Upsample(BaselineMaps.Random(random), height, width)).ToArray();
        rows.Add(Score(model, LocalizationBenchmark.RandomBaseline, "-", randomMaps, set, steps));
        return new FaithfulnessReport(rows, set.Count, steps);
    }

    /// <summary>Both curves for maps already at the input size, averaged over the photos.</summary>
    public static FaithfulnessRow Score(PetClassifier model, string method, string layer, IReadOnlyList<float[,]> maps, EvaluationSet set,
        int steps = DeletionInsertion.DefaultSteps)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(set);
        var meanDeletion = MeanCurve(model, maps, set, CurveKind.Deletion, steps);
        var meanInsertion = MeanCurve(model, maps, set, CurveKind.Insertion, steps);
        // The area of the mean curve equals the mean of the areas (the trapezoid rule is linear).
        return new FaithfulnessRow(method, layer, DeletionInsertion.AreaUnderCurve(meanDeletion), DeletionInsertion.AreaUnderCurve(meanInsertion),
            meanDeletion, meanInsertion);
    }

    /// <summary>The deletion AUC alone, as <see cref="Score"/> computes it, for half its forward passes (no insertion curve).</summary>
    public static double DeletionAuc(PetClassifier model, IReadOnlyList<float[,]> maps, EvaluationSet set, int steps = DeletionInsertion.DefaultSteps)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(maps);
        ArgumentNullException.ThrowIfNull(set);
        return DeletionInsertion.AreaUnderCurve(MeanCurve(model, maps, set, CurveKind.Deletion, steps));
    }

    private static double[] MeanCurve(PetClassifier model, IReadOnlyList<float[,]> maps, EvaluationSet set, CurveKind kind, int steps)
    {
        var sum = new double[steps + 1];
        for (int i = 0; i < set.Count; i++)
        {
            using var scope = NewDisposeScope();
            int label = set.Labels[i];
            float[] Probability(Tensor inputs) => model.Probabilities(inputs)[.., label].data<float>().ToArray();
            Accumulate(sum, DeletionInsertion.Curve(Probability, set.Inputs[i], maps[i], kind, steps));
        }
        return sum.Select(v => v / set.Count).ToArray();
    }

    private static void Accumulate(double[] sum, double[] curve)
    {
        for (int k = 0; k < sum.Length; k++) sum[k] += curve[k];
    }
}
